using System.Text.RegularExpressions;
using Dokkaa.Cli.Tests.Support;
using Dokkaa.Core.Cluster;
using Dokkaa.Core.Manifests;
using Dokkaa.Testing;
using Xunit;

namespace Dokkaa.Cli.Tests;

/// <summary>dokkaa apply with good manifests: where they land, in what form, and what the CLI says about it.</summary>
public sealed partial class ApplyTests(EtcdFixture etcd) : CliTestBase(etcd)
{
    // Written as an operator might: odd key order, the seed's short service form, unsorted links and env.
    private const string Messy = """
        {
          "scale": 2,
          "image": "dockerfile/nginx",
          "env": { "B": "2", "A": "1" },
          "services": { "web": 80 },
          "links": ["z", "a"]
        }
        """;

    private const string Canonical =
        """{"image":"dockerfile/nginx","scale":2,"services":{"web":{"port":80,"protocol":"tcp"}},"links":["a","z"],"env":{"A":"1","B":"2"}}""";

    [Fact]
    public async Task ApplyFromFileWritesCanonicalJsonUnderTheFileName()
    {
        var app = NewName();
        var name = NewName('n');
        var file = WriteFile(name + ".json", Messy);

        var result = await Dokkaa("apply", "-f", file, "--app", app);

        AssertOk(result);
        var stored = await Etcd.GetAsync($"/apps/{app}/{name}/manifest");
        Assert.NotNull(stored);
        Assert.Equal(Canonical, stored.Value);
        Assert.Equal(ManifestSerializer.ToCanonicalJson(ManifestParser.Parse(Messy)), stored.Value);
        Assert.Equal($"{app}/{name}: created (revision {stored.ModRevision})", result.StdOut.Trim());
    }

    [Fact]
    public async Task ApplyFromStandardInputUsesTheGivenName()
    {
        var app = NewName();

        var result = await DokkaaWithInput(Messy, "apply", "-f", "-", "--app", app, "--name", "web");

        AssertOk(result);
        var stored = await Etcd.GetAsync(KeyLayout.Manifest(app, "web"));
        Assert.NotNull(stored);
        Assert.Equal(Canonical, stored.Value);
        Assert.StartsWith($"{app}/web: created", result.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApplyFromStandardInputWithoutNameIsRefusedAndWritesNothing()
    {
        var app = NewName();
        var before = await Etcd.RevisionAsync();

        var result = await DokkaaWithInput(Messy, "apply", "-f", "-", "--app", app);

        Assert.Contains("--name", AssertFails(result), StringComparison.Ordinal);
        Assert.Equal(before, await Etcd.RevisionAsync());
    }

    [Fact]
    public async Task ApplyReportsCreatedThenUnchangedThenUpdated()
    {
        var app = NewName();
        var file = WriteFile("web.json", Messy);

        var created = await Dokkaa("apply", "-f", file, "--app", app);
        AssertOk(created);
        var first = (await Etcd.GetAsync(KeyLayout.Manifest(app, "web")))!;
        Assert.Equal(first.ModRevision, RevisionIn(created.StdOut, "created"));

        // The same manifest written differently (the canonical form itself) changes nothing, not even the revision.
        var same = await DokkaaWithInput(Canonical, "apply", "-f", "-", "--app", app, "--name", "web");
        AssertOk(same);
        Assert.Equal(first.ModRevision, RevisionIn(same.StdOut, "unchanged"));
        Assert.Equal(first.ModRevision, (await Etcd.GetAsync(KeyLayout.Manifest(app, "web")))!.ModRevision);

        var updated = await DokkaaWithInput("""{"image":"dockerfile/nginx","scale":3}""", "apply", "-f", "-", "--app", app, "--name", "web");
        AssertOk(updated);
        var second = (await Etcd.GetAsync(KeyLayout.Manifest(app, "web")))!;
        Assert.Equal(second.ModRevision, RevisionIn(updated.StdOut, "updated"));
        Assert.True(second.ModRevision > first.ModRevision);
        Assert.Equal("""{"image":"dockerfile/nginx","scale":3}""", second.Value);
    }

    [Fact]
    public async Task DryRunOfANewManifestWritesNothing()
    {
        var app = NewName();
        var file = WriteFile("web.json", Messy);
        var before = await Etcd.RevisionAsync();

        var result = await Dokkaa("apply", "-f", file, "--app", app, "--dry-run");

        AssertOk(result);
        Assert.Contains("nothing written", result.StdOut, StringComparison.Ordinal);
        Assert.Null(await Etcd.GetAsync(KeyLayout.Manifest(app, "web")));
        Assert.Equal(before, await Etcd.RevisionAsync());
    }

    [Fact]
    public async Task DryRunOfAChangeLeavesTheStoredManifestAlone()
    {
        var app = NewName();
        var revision = await ApplyAsync(app, "web", Messy);
        var before = await Etcd.RevisionAsync();

        var result = await DokkaaWithInput("""{"image":"dockerfile/nginx","scale":9}""", "apply", "-f", "-", "--app", app, "--name", "web", "--dry-run");

        AssertOk(result);
        var stored = (await Etcd.GetAsync(KeyLayout.Manifest(app, "web")))!;
        Assert.Equal(Canonical, stored.Value);
        Assert.Equal(revision, stored.ModRevision);
        Assert.Equal(before, await Etcd.RevisionAsync());
    }

    private static long RevisionIn(string output, string kind)
    {
        var match = ChangeLine().Match(output);
        Assert.True(match.Success, $"no change line in: {output}");
        Assert.Equal(kind, match.Groups["kind"].Value);
        return long.Parse(match.Groups["revision"].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@": (?<kind>created|updated|unchanged) \(revision (?<revision>\d+)\)")]
    private static partial Regex ChangeLine();
}
