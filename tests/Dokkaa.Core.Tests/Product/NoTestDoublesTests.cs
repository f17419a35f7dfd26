using System.Reflection;
using System.Xml.Linq;
using Dokkaa.Core.Etcd;
using Dokkaa.Etcd;
using Dokkaa.Testing;
using Xunit;

namespace Dokkaa.Core.Tests.Product;

/// <summary>
/// The product ships no test doubles: the in-memory etcd and the fake clocks live in tests/Dokkaa.Testing.Doubles,
/// which no project under src/ may reference (the module and the CLI would carry them to users otherwise).
/// </summary>
public sealed class NoTestDoublesTests
{
    public static TheoryData<string> ProductProjects()
    {
        var data = new TheoryData<string>();
        foreach (var project in Directory.EnumerateFiles(Path.Combine(RepoPaths.Root, "src"), "*.csproj", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            data.Add(Path.GetRelativePath(RepoPaths.Root, project));
        return data;
    }

    [Theory]
    [MemberData(nameof(ProductProjects))]
    public void No_product_project_references_a_project_under_tests(string project)
    {
        var path = Path.Combine(RepoPaths.Root, project);
        var testsDir = Path.Combine(RepoPaths.Root, "tests") + Path.DirectorySeparatorChar;
        var intoTests = XDocument.Load(path).Descendants("ProjectReference")
            .Select(r => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, r.Attribute("Include")!.Value.Replace('\\', '/'))))
            .Where(r => r.StartsWith(testsDir, StringComparison.Ordinal))
            .ToList();
        Assert.True(intoTests.Count == 0, $"{project} references test projects: {string.Join(", ", intoTests)}");
    }

    [Fact]
    public void The_etcd_layer_holds_no_etcd_but_the_real_client_and_no_clock_of_its_own()
    {
        Assembly[] product = [typeof(IEtcdClient).Assembly, typeof(GrpcEtcdClient).Assembly];
        var doubles = product.SelectMany(a => a.GetTypes())
            .Where(t => t != typeof(GrpcEtcdClient) && !t.IsInterface && (typeof(IEtcdClient).IsAssignableFrom(t) || typeof(TimeProvider).IsAssignableFrom(t)))
            .Select(t => t.FullName)
            .ToList();
        Assert.True(doubles.Count == 0, $"test doubles in the product: {string.Join(", ", doubles)}");
    }
}
