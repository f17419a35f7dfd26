using Dokkaa.Cli.Tests.Support;
using Dokkaa.Core.Cluster;
using Dokkaa.Testing;
using Xunit;

namespace Dokkaa.Cli.Tests;

/// <summary>
/// Everything apply must refuse: exit code 1, an error that names the place in the manifest, and not one
/// byte written to etcd (the store revision does not move).
/// </summary>
public sealed class BadInputTests(EtcdFixture etcd) : CliTestBase(etcd)
{
    private const string Good = """{"image":"dockerfile/nginx","scale":2,"services":{"web":80}}""";

    public static TheoryData<string, string> BadManifests => new()
    {
        { "not json", "$: not valid JSON" },
        { "", "$: not valid JSON" },
        { """{"image":"nginx",}""", "$: not valid JSON" },
        { "[]", "$: expected a manifest object" },
        { "{}", "$.image: required" },
        { """{"image":42}""", "$.image:" },
        { """{"image":"nginx","scale":"two"}""", "$.scale:" },
        { """{"image":"nginx","scale":1.5}""", "$.scale:" },
        { """{"image":"nginx","scale":-1}""", "$.scale: must be an integer >= 0" },
        { """{"image":"nginx","scale":1001}""", "$.scale:" },
        { """{"image":"nginx","services":{"web":"80"}}""", "$.services.web:" },
        { """{"image":"nginx","services":{"web":70000}}""", "$.services.web: port 70000 is out of range 1-65535" },
        { """{"image":"nginx","services":{"web":{"port":80,"protocol":"sctp"}}}""", "$.services.web.protocol:" },
        { """{"image":"nginx","command":"nginx -g daemon off"}""", "$.command:" },
        { """{"image":"nginx","links":"db"}""", "$.links:" },
        { """{"image":"nginx","env":{"A":1}}""", "$.env.A:" },
        { """{"image":"nginx","env":{"DOKKAA_APP":"x"}}""", "$.env.DOKKAA_APP:" },
        { """{"image":"nginx","exclusive":"yes"}""", "$.exclusive:" },
        { """{"image":"nginx","foo":1}""", "$.foo: unknown field" },
        { """{"image":"Bad Image!!"}""", "$.image:" },
        { """{"image":"nginx:"}""", "$.image:" },
        { """{"image":"nginx","http":{"host":"a;}","port":80}}""", "$.http.host:" },
        { """{"image":"nginx","http":{"host":"shop.example.com","port":0}}""", "$.http.port:" },
    };

    [Theory]
    [MemberData(nameof(BadManifests))]
    public async Task BadManifestFromFileIsRefusedAndNothingIsWritten(string json, string expected)
    {
        var app = NewName();
        var file = WriteFile("web.json", json);
        var before = await Etcd.RevisionAsync();

        var result = await Dokkaa("apply", "-f", file, "--app", app);

        Assert.Contains(expected, AssertFails(result), StringComparison.Ordinal);
        Assert.Null(await Etcd.GetAsync(KeyLayout.Manifest(app, "web")));
        Assert.Equal(before, await Etcd.RevisionAsync());
    }

    [Theory]
    [MemberData(nameof(BadManifests))]
    public async Task BadManifestFromStandardInputLeavesTheStoredOneAlone(string json, string expected)
    {
        var app = NewName();
        var revision = await ApplyAsync(app, "web", Good);
        var stored = (await Etcd.GetAsync(KeyLayout.Manifest(app, "web")))!.Value;
        var before = await Etcd.RevisionAsync();

        var result = await DokkaaWithInput(json, "apply", "-f", "-", "--app", app, "--name", "web");

        Assert.Contains(expected, AssertFails(result), StringComparison.Ordinal);
        var after = (await Etcd.GetAsync(KeyLayout.Manifest(app, "web")))!;
        Assert.Equal(stored, after.Value);
        Assert.Equal(revision, after.ModRevision);
        Assert.Equal(before, await Etcd.RevisionAsync());
    }

    [Fact]
    public async Task EveryErrorOfAManifestIsReportedAtOnce()
    {
        var result = await DokkaaWithInput("""{"image":"nginx","scale":-1,"services":{"web":70000},"foo":1}""", "apply", "-f", "-", "--app", NewName(), "--name", "web");

        var error = AssertFails(result);
        Assert.Contains("$.scale", error, StringComparison.Ordinal);
        Assert.Contains("$.services.web", error, StringComparison.Ordinal);
        Assert.Contains("$.foo", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Bad_Name", "must be lowercase")]
    [InlineData("a---b", "must not contain \"---\"")]
    [InlineData("a-", "")]
    [InlineData("a/b", "must not contain '/'")]
    public async Task BadAppNameIsRefusedAndNothingIsWritten(string app, string reason)
    {
        var file = WriteFile("web.json", Good);
        var before = await Etcd.RevisionAsync();

        var error = AssertFails(await Dokkaa("apply", "-f", file, "--app", app));

        Assert.Contains($"Invalid app name \"{app}\"", error, StringComparison.Ordinal);
        Assert.Contains(reason, error, StringComparison.Ordinal);
        Assert.DoesNotContain("(Parameter", error, StringComparison.Ordinal);
        Assert.Equal(before, await Etcd.RevisionAsync());
    }

    [Theory]
    [InlineData("Bad_Name", "must be lowercase")]
    [InlineData("a---b", "must not contain \"---\"")]
    public async Task BadManifestNameIsRefusedAndNothingIsWritten(string name, string reason)
    {
        var app = NewName();
        var before = await Etcd.RevisionAsync();

        var fromFile = AssertFails(await Dokkaa("apply", "-f", WriteFile(name + ".json", Good), "--app", app));
        var fromOption = AssertFails(await DokkaaWithInput(Good, "apply", "-f", "-", "--app", app, "--name", name));

        foreach (var error in new[] { fromFile, fromOption })
        {
            Assert.Contains($"\"{name}\"", error, StringComparison.Ordinal);
            Assert.Contains(reason, error, StringComparison.Ordinal);
            Assert.DoesNotContain("(Parameter", error, StringComparison.Ordinal);
        }

        Assert.Equal(before, await Etcd.RevisionAsync());
    }

    [Fact]
    public async Task DryRunRefusesBadNamesLikeTheRealApply()
    {
        var error = AssertFails(await DokkaaWithInput(Good, "apply", "-f", "-", "--app", "Bad_Name", "--name", "web", "--dry-run"));

        Assert.Contains("Invalid app name \"Bad_Name\"", error, StringComparison.Ordinal);
        Assert.DoesNotContain("(Parameter", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DryRunRefusesBadManifests()
    {
        var error = AssertFails(await DokkaaWithInput("""{"image":"nginx","scale":-1}""", "apply", "-f", "-", "--app", NewName(), "--name", "web", "--dry-run"));

        Assert.Contains("$.scale", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingFileIsAClearError()
    {
        var missing = Path.Combine(TempDir, "nope.json");

        var error = AssertFails(await Dokkaa("apply", "-f", missing, "--app", NewName()));

        Assert.Contains(missing, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DirectoryInsteadOfFileIsAClearError()
    {
        var error = AssertFails(await Dokkaa("apply", "-f", TempDir, "--app", NewName(), "--name", "web"));

        Assert.Contains(TempDir, error, StringComparison.Ordinal);
    }
}
