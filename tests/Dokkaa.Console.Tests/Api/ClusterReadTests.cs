using System.Text.Json;
using System.Text.Json.Nodes;
using Dokkaa.Core.Cluster;
using Dokkaa.Core.Operations;
using Dokkaa.Testing;
using Dokkaa.WebConsole.Api;
using Dokkaa.WebConsole.Tests.Support;
using Xunit;

namespace Dokkaa.WebConsole.Tests.Api;

/// <summary>
/// The read endpoints against records written as agents write them: containers, hosts, services and status
/// say what <see cref="ClusterOperations"/> (so <c>dokkaa ps/status/resolve</c> and the cmdlets) says.
/// </summary>
public sealed class ClusterReadTests(ConsoleFixture console) : IClassFixture<ConsoleFixture>
{
    private const string Web = """{"image":"dockerfile/nginx","scale":2,"services":{"web":80}}""";

    private ClusterWriter Cluster => console.Cluster;

    private ClusterOperations Ops => new(console.Etcd);

    [Fact]
    public async Task ContainersStatusAndServicesAreWhatCoreSays()
    {
        var app = ClusterWriter.NewName();
        var host = ClusterWriter.NewName('h');
        var lease = await Cluster.PutHostAsync(host, "10.9.0.1");
        await Cluster.PutManifestAsync(app, "web", Web);
        await Cluster.PutClaimAsync(app, "web", 1, host, "10.9.0.1", Web, ports: new Dictionary<string, int> { ["80/tcp"] = 32768 }, lease: lease);
        await Cluster.PutClaimAsync(app, "web", 2, host, "10.9.0.1", Web, InstanceState.Starting, lease: lease);
        await Cluster.PutStatusAsync(app, "web", new StatusRecord { Desired = 2, Running = 1, Pending = 0, Errors = new[] { "instance 2 starting" }, ObservedRevision = 1 });

        await SameAsCoreAsync($"/api/containers?app={app}", () => Ops.GetContainersAsync(app));
        await SameAsCoreAsync($"/api/status?app={app}", () => Ops.GetStatusAsync(app));
        await SameAsCoreAsync($"/api/services/web?app={app}", () => Ops.ResolveAsync("web", app));
        await SameAsCoreAsync($"/api/containers?host={host}", () => Ops.GetContainersAsync(host: host));

        var endpoint = Assert.Single((await GetAsync($"/api/services/web?app={app}")).AsArray());
        Assert.Equal(32768, endpoint!["port"]!.GetValue<int>());
        Assert.Equal("10.9.0.1", endpoint["address"]!.GetValue<string>());
    }

    [Fact]
    public async Task AppsCountRunningFromTheClaimsAndListInstances()
    {
        var app = ClusterWriter.NewName();
        var host = ClusterWriter.NewName('h');
        await Cluster.PutHostAsync(host, "10.9.0.2");
        await Cluster.PutManifestAsync(app, "web", Web);
        await Cluster.PutClaimAsync(app, "web", 1, host, "10.9.0.2", Web, ports: new Dictionary<string, int> { ["80/tcp"] = 31001 });
        // An instance still on an older manifest is outdated, not running.
        await Cluster.PutClaimAsync(app, "web", 2, host, "10.9.0.2", """{"image":"dockerfile/nginx:old","scale":2,"services":{"web":80}}""");

        var view = await Poll.UntilAsync(async () => Assert.Single((await GetAsync($"/api/apps?app={app}")).AsArray())!,
            a => a["instances"]!.AsArray().Count == 2, "both claims in /api/apps");

        Assert.Equal(2, view["desired"]!.GetValue<int>());
        Assert.Equal(1, view["running"]!.GetValue<int>());
        Assert.Equal(1, view["outdated"]!.GetValue<int>());
        var first = view["instances"]![0]!;
        Assert.Equal(host, first["host"]!.GetValue<string>());
        Assert.Equal(31001, first["ports"]!["80/tcp"]!.GetValue<int>());
        Assert.True(first["current"]!.GetValue<bool>());
        Assert.False(view["instances"]![1]!["current"]!.GetValue<bool>());
    }

    [Fact]
    public async Task HostsListTheirContainers()
    {
        var app = ClusterWriter.NewName();
        var host = ClusterWriter.NewName('h');
        await Cluster.PutHostAsync(host, "10.9.0.3");
        await Cluster.PutManifestAsync(app, "web", Web);
        await Cluster.PutClaimAsync(app, "web", 1, host, "10.9.0.3", Web);
        await Cluster.PutClaimAsync(app, "web", 2, host, "10.9.0.3", Web);

        var found = await Poll.UntilAsync(async () => (await GetAsync($"/api/hosts?name={host}")).AsArray(),
            hosts => hosts.Count == 1 && hosts[0]!["instances"]!.GetValue<int>() == 2, "the host with two containers");

        var entry = found[0]!;
        Assert.Equal("10.9.0.3", entry["address"]!.GetValue<string>());
        Assert.Equal(new[] { $"{app}---web", $"{app}---web---2" }, entry["containers"]!.AsArray().Select(c => c!.GetValue<string>()));
        var core = Assert.Single(await Ops.GetHostsAsync(host));
        Assert.Equal(core.Instances, entry["instances"]!.GetValue<int>());
    }

    [Fact]
    public async Task ReadsCarryTheRevisionTheyWereReadAt()
    {
        var revision = await Cluster.PutManifestAsync(ClusterWriter.NewName(), "web", Web);

        var seen = await Poll.UntilAsync(async () =>
        {
            using var response = await console.Http.GetAsync("/api/apps");
            return long.Parse(response.Headers.GetValues(ApiEndpoints.RevisionHeader).Single(), System.Globalization.CultureInfo.InvariantCulture);
        }, r => r >= revision, "the revision header to reach the write");

        Assert.True(seen >= revision);
    }

    private async Task SameAsCoreAsync<T>(string path, Func<Task<T>> core)
    {
        // The console reads its live view, which follows the watch: poll until it has caught up with etcd.
        await Poll.UntilAsync(async () =>
        {
            var expected = JsonSerializer.SerializeToNode(await core(), ApiJson.Options);
            var actual = await GetAsync(path);
            return JsonNode.DeepEquals(expected, actual);
        }, $"{path} to equal Core's answer", TimeSpan.FromSeconds(30));
        Assert.True(JsonNode.DeepEquals(JsonSerializer.SerializeToNode(await core(), ApiJson.Options), await GetAsync(path)),
            $"{path}: {await GetAsync(path)}\nCore: {JsonSerializer.Serialize(await core(), ApiJson.Options)}");
    }

    private async Task<JsonNode> GetAsync(string path) => JsonNode.Parse(await console.Http.GetStringAsync(path))!;
}
