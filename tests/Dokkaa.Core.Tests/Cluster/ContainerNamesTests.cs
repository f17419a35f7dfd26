using Dokkaa.Core.Cluster;
using Xunit;

namespace Dokkaa.Core.Tests.Cluster;

public sealed class ContainerNamesTests
{
    [Fact]
    public void Instance_one_has_the_seed_name() =>
        Assert.Equal("dummy---nginx", ContainerNames.For("dummy", "nginx", 1));

    [Theory]
    [InlineData(2, "dummy---nginx---2")]
    [InlineData(10, "dummy---nginx---10")]
    public void Later_instances_carry_their_number(int instance, string expected) =>
        Assert.Equal(expected, ContainerNames.For("dummy", "nginx", instance));

    [Fact]
    public void Instance_id_uses_the_same_names_and_keys()
    {
        var id = new InstanceId("dummy", "nginx", 2);

        Assert.Equal("dummy---nginx---2", id.ContainerName);
        Assert.Equal(KeyLayout.Instance("dummy", "nginx", 2), id.Key);
        Assert.Equal(new ManifestId("dummy", "nginx"), id.Manifest);
    }

    [Fact]
    public void Labels_are_namespaced()
    {
        var labels = new[] { ContainerNames.AppLabel, ContainerNames.NameLabel, ContainerNames.InstanceLabel, ContainerNames.ManifestHashLabel, ContainerNames.HostLabel };

        Assert.All(labels, l => Assert.StartsWith("io.dokkaa.", l, StringComparison.Ordinal));
        Assert.Equal(labels.Length, labels.Distinct().Count());
    }
}
