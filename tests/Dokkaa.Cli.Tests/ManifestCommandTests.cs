using Dokkaa.Cli.Tests.Support;
using Dokkaa.Core.Cluster;
using Dokkaa.Core.Manifests;
using Dokkaa.Testing;
using Xunit;

namespace Dokkaa.Cli.Tests;

/// <summary>get, scale and rm against manifests in a real etcd.</summary>
public sealed class ManifestCommandTests(EtcdFixture etcd) : CliTestBase(etcd)
{
    private const string Web = """{"image":"dockerfile/nginx","scale":2,"services":{"web":80},"links":["db"],"env":{"MODE":"production"},"http":{"host":"shop.example.com","port":80}}""";

    [Fact]
    public async Task GetShowsAManifestAsATable()
    {
        var app = NewName();
        var revision = await ApplyAsync(app, "web", Web);

        var result = await Dokkaa("get", "--app", app);

        AssertOk(result);
        var row = Assert.Single(TextTable.Parse(result.StdOut));
        Assert.Equal(app, row["APP"]);
        Assert.Equal("web", row["NAME"]);
        Assert.Equal("dockerfile/nginx", row["IMAGE"]);
        Assert.Equal("2", row["SCALE"]);
        Assert.Equal("web:80", row["SERVICES"]);
        Assert.Equal("db", row["LINKS"]);
        Assert.Equal("shop.example.com:80", row["HTTP"]);
        Assert.Equal(revision.ToString(System.Globalization.CultureInfo.InvariantCulture), row["REVISION"]);
    }

    [Fact]
    public async Task GetAsJsonGivesTheCanonicalManifest()
    {
        var app = NewName();
        var revision = await ApplyAsync(app, "web", Web);

        var result = await Dokkaa("get", "--app", app, "-o", "json");

        AssertOk(result);
        var item = Assert.Single(ParseJson(result.StdOut).EnumerateArray());
        Assert.Equal(app, item.GetProperty("app").GetString());
        Assert.Equal("web", item.GetProperty("name").GetString());
        Assert.Equal(revision, item.GetProperty("revision").GetInt64());
        Assert.True(item.GetProperty("isValid").GetBoolean());
        Assert.Empty(item.GetProperty("errors").EnumerateArray());
        var manifest = item.GetProperty("manifest");
        Assert.Equal(ManifestSerializer.ToCanonicalJson(ManifestParser.Parse(Web)), ManifestSerializer.ToCanonicalJson(ManifestParser.Parse(manifest)));
        Assert.Equal(80, manifest.GetProperty("services").GetProperty("web").GetProperty("port").GetInt32());
    }

    [Fact]
    public async Task GetFiltersWithWildcards()
    {
        var prefix = NewName('w');
        var other = NewName('x');
        await ApplyAsync(prefix + "a", "web", Web);
        await ApplyAsync(prefix + "a", "db", Web);
        await ApplyAsync(prefix + "b", "web", Web);
        await ApplyAsync(other, "web", Web);

        var byApp = await Dokkaa("get", "--app", prefix + "*", "-o", "json");
        var byAppAndName = await Dokkaa("get", "--app", prefix + "?", "--name", "w*");
        var byName = await Dokkaa("get", "--name", "d?", "--app", "*");

        AssertOk(byApp);
        Assert.Equal(
            new[] { $"{prefix}a/db", $"{prefix}a/web", $"{prefix}b/web" },
            ParseJson(byApp.StdOut).EnumerateArray().Select(m => $"{m.GetProperty("app").GetString()}/{m.GetProperty("name").GetString()}").Order(StringComparer.Ordinal));
        AssertOk(byAppAndName);
        Assert.Equal(
            new[] { $"{prefix}a/web", $"{prefix}b/web" },
            TextTable.Parse(byAppAndName.StdOut).Select(r => $"{r["APP"]}/{r["NAME"]}").Order(StringComparer.Ordinal));
        AssertOk(byName);
        var dbRows = TextTable.Parse(byName.StdOut);
        Assert.Contains(dbRows, r => r["APP"] == prefix + "a" && r["NAME"] == "db");
        Assert.All(dbRows, r => Assert.Equal("db", r["NAME"]));
    }

    [Fact]
    public async Task GetOfNothingIsAnEmptyListNotAnError()
    {
        var result = await Dokkaa("get", "--app", NewName(), "-o", "json");

        AssertOk(result);
        Assert.Empty(ParseJson(result.StdOut).EnumerateArray());
    }

    [Fact]
    public async Task GetShowsAManifestBrokenByHandAsInvalid()
    {
        var app = NewName();
        await Etcd.Client.PutAsync(KeyLayout.Manifest(app, "web"), """{"image":"nginx","scale":-1}""");

        var table = await Dokkaa("get", "--app", app);
        var json = await Dokkaa("get", "--app", app, "-o", "json");

        AssertOk(table);
        var row = Assert.Single(TextTable.Parse(table.StdOut));
        Assert.StartsWith("INVALID: $.scale", row["IMAGE"], StringComparison.Ordinal);
        AssertOk(json);
        var item = Assert.Single(ParseJson(json.StdOut).EnumerateArray());
        Assert.False(item.GetProperty("isValid").GetBoolean());
        Assert.Contains(item.GetProperty("errors").EnumerateArray(), e => e.GetString()!.StartsWith("$.scale", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ScaleChangesOnlyTheScale()
    {
        var app = NewName();
        var revision = await ApplyAsync(app, "web", Web);

        var result = await Dokkaa("scale", "--app", app, "--name", "web", "5");

        AssertOk(result);
        Assert.Contains("scale 2 -> 5", result.StdOut, StringComparison.Ordinal);
        var stored = (await Etcd.GetAsync(KeyLayout.Manifest(app, "web")))!;
        Assert.True(stored.ModRevision > revision);
        Assert.Equal(ManifestSerializer.ToCanonicalJson(ManifestParser.Parse(Web) with { Scale = 5 }), stored.Value);
    }

    [Fact]
    public async Task ScaleToZeroKeepsTheManifest()
    {
        var app = NewName();
        await ApplyAsync(app, "web", Web);

        AssertOk(await Dokkaa("scale", "--app", app, "--name", "web", "0"));

        var stored = await Etcd.GetAsync(KeyLayout.Manifest(app, "web"));
        Assert.NotNull(stored);
        Assert.Equal(0, ManifestParser.Parse(stored.Value).Scale);
    }

    [Fact]
    public async Task ScaleToTheSameNumberWritesNothing()
    {
        var app = NewName();
        var revision = await ApplyAsync(app, "web", Web);
        var before = await Etcd.RevisionAsync();

        var result = await Dokkaa("scale", "--app", app, "--name", "web", "2");

        AssertOk(result);
        Assert.Contains("unchanged", result.StdOut, StringComparison.Ordinal);
        Assert.Equal(revision, (await Etcd.GetAsync(KeyLayout.Manifest(app, "web")))!.ModRevision);
        Assert.Equal(before, await Etcd.RevisionAsync());
    }

    [Fact]
    public async Task ScaleOfAMissingManifestFails()
    {
        var app = NewName();
        var before = await Etcd.RevisionAsync();

        var error = AssertFails(await Dokkaa("scale", "--app", app, "--name", "web", "3"));

        Assert.Contains($"No manifest {app}/web", error, StringComparison.Ordinal);
        Assert.Null(await Etcd.GetAsync(KeyLayout.Manifest(app, "web")));
        Assert.Equal(before, await Etcd.RevisionAsync());
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("1001")]
    public async Task ScaleOutOfRangeIsRefused(string scale)
    {
        var app = NewName();
        var revision = await ApplyAsync(app, "web", Web);

        var error = AssertFails(await Dokkaa("scale", "--app", app, "--name", "web", scale));

        Assert.Contains("$.scale", error, StringComparison.Ordinal);
        Assert.Equal(revision, (await Etcd.GetAsync(KeyLayout.Manifest(app, "web")))!.ModRevision);
    }

    [Fact]
    public async Task ScaleOfAManifestBrokenByHandIsRefused()
    {
        var app = NewName();
        const string broken = """{"image":"nginx","scale":"two"}""";
        await Etcd.Client.PutAsync(KeyLayout.Manifest(app, "web"), broken);
        var before = await Etcd.RevisionAsync();

        var error = AssertFails(await Dokkaa("scale", "--app", app, "--name", "web", "3"));

        Assert.Contains("invalid", error, StringComparison.Ordinal);
        Assert.Contains("$.scale", error, StringComparison.Ordinal);
        Assert.Equal(broken, (await Etcd.GetAsync(KeyLayout.Manifest(app, "web")))!.Value);
        Assert.Equal(before, await Etcd.RevisionAsync());
    }

    [Fact]
    public async Task RmDeletesTheManifest()
    {
        var app = NewName();
        await ApplyAsync(app, "web", Web);
        await ApplyAsync(app, "db", Web);

        var result = await Dokkaa("rm", "--app", app, "--name", "web");

        AssertOk(result);
        Assert.Contains($"{app}/web: removed", result.StdOut, StringComparison.Ordinal);
        Assert.Null(await Etcd.GetAsync(KeyLayout.Manifest(app, "web")));
        Assert.NotNull(await Etcd.GetAsync(KeyLayout.Manifest(app, "db")));
    }

    [Fact]
    public async Task StatusWarnsOfIgnoredKeysAndRmByKeyRemovesOnlyThem()
    {
        var app = NewName();
        var stray = $"/apps/{app}/web/extra/manifest";
        await ApplyAsync(app, "web", Web);
        await Etcd.Client.PutAsync(stray, "{}");

        var status = await Dokkaa("status");
        var byKeyAndName = await Dokkaa("rm", "--key", stray, "--app", app, "--name", "web");
        var removed = await Dokkaa("rm", "--key", stray);

        AssertOk(status);
        Assert.Contains($"warning: ignored key {stray}: not of the form /apps/<app>/<name>/manifest", status.StdErr, StringComparison.Ordinal);
        Assert.Contains("not both", AssertFails(byKeyAndName), StringComparison.Ordinal);
        AssertOk(removed);
        Assert.Null(await Etcd.GetAsync(stray));
        Assert.NotNull(await Etcd.GetAsync(KeyLayout.Manifest(app, "web")));
    }

    [Fact]
    public async Task RmOfAMissingManifestFails()
    {
        var app = NewName();
        var before = await Etcd.RevisionAsync();

        var error = AssertFails(await Dokkaa("rm", "--app", app, "--name", "web"));

        Assert.Contains($"No manifest {app}/web", error, StringComparison.Ordinal);
        Assert.Equal(before, await Etcd.RevisionAsync());
    }

    [Fact]
    public async Task RmWithANameThatCannotBeAKeySegmentIsRefused()
    {
        var error = AssertFails(await Dokkaa("rm", "--app", "a/b", "--name", "web"));

        Assert.Contains("App \"a/b\" cannot be part of a manifest key", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RmRemovesAKeyWrittenByHandWhoseNameBreaksTheRule()
    {
        // The agents report such a key as invalid and run nothing for it; the operator must be able to remove it.
        var app = NewName();
        await Etcd.Client.PutAsync(KeyLayout.Manifest(app, "Bad_Name"), "{}");

        AssertOk(await Dokkaa("rm", "--app", app, "--name", "Bad_Name"));

        Assert.Null(await Etcd.GetAsync(KeyLayout.Manifest(app, "Bad_Name")));
    }
}
