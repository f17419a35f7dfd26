using System.Text.Json;
using Dokkaa.Core.Cluster;
using Dokkaa.WebConsole.Tests.Support;
using Xunit;

namespace Dokkaa.WebConsole.Tests.Api;

/// <summary><c>/api/events</c>: a snapshot at once, then change + snapshot for every write anyone makes to etcd, and host heartbeats.</summary>
public sealed class EventStreamTests(ConsoleFixture console) : IClassFixture<ConsoleFixture>
{
    private const string Web = """{"image":"dockerfile/nginx","scale":1,"services":{"web":80}}""";

    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private ClusterWriter Cluster => console.Cluster;

    [Fact]
    public async Task StreamStartsWithASnapshotAndFollowsTheWatch()
    {
        var app = ClusterWriter.NewName();
        await using var events = await EventStreamReader.OpenAsync(console.Http);
        Assert.Equal("text/event-stream", events.Response.Content.Headers.ContentType?.MediaType);

        var first = await events.NextAsync(Wait);
        Assert.Equal("snapshot", first.Name);
        Assert.Equal(first.Data.GetProperty("revision").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture), first.Id);

        // A manifest written straight into etcd (as etcdctl would) arrives as a change and a snapshot.
        var revision = await Cluster.PutManifestAsync(app, "web", Web);
        var change = await events.UntilAsync("change", d => d.GetProperty("revision").GetInt64() >= revision, Wait);
        Assert.Contains(change.GetProperty("changes").EnumerateArray(), c =>
            c.GetProperty("kind").GetString() == "manifest" && c.GetProperty("op").GetString() == "put" &&
            c.GetProperty("key").GetString() == KeyLayout.Manifest(app, "web"));
        var snapshot = await events.UntilAsync("snapshot", d => App(d, app) is { } a && a.GetProperty("desired").GetInt32() == 1, Wait);
        Assert.Equal(0, App(snapshot, app)!.Value.GetProperty("running").GetInt32());

        // An agent's claim makes it run.
        var host = ClusterWriter.NewName('h');
        await Cluster.PutHostAsync(host, "10.8.0.1");
        await Cluster.PutClaimAsync(app, "web", 1, host, "10.8.0.1", Web, ports: new Dictionary<string, int> { ["80/tcp"] = 30080 });
        snapshot = await events.UntilAsync("snapshot", d => App(d, app) is { } a && a.GetProperty("running").GetInt32() == 1, Wait);
        var instance = Assert.Single(App(snapshot, app)!.Value.GetProperty("instances").EnumerateArray());
        Assert.Equal(host, instance.GetProperty("host").GetString());
        Assert.Contains(snapshot.GetProperty("hosts").EnumerateArray(), h => h.GetProperty("name").GetString() == host);

        // Deleting it is a delete change, and the app leaves the snapshot.
        await console.Etcd.DeleteAsync(KeyLayout.Manifest(app, "web"));
        change = await events.UntilAsync("change", d => d.GetProperty("changes").EnumerateArray().Any(c =>
            c.GetProperty("op").GetString() == "delete" && c.GetProperty("key").GetString() == KeyLayout.Manifest(app, "web")), Wait);
        await events.UntilAsync("snapshot", d => App(d, app) is null, Wait);
    }

    [Fact]
    public async Task HeartbeatsComeFromTheHostsLeases()
    {
        var host = ClusterWriter.NewName('h');
        await Cluster.PutHostAsync(host, "10.8.0.2", ttlSeconds: 45);
        await using var events = await EventStreamReader.OpenAsync(console.Http);

        var beat = await events.UntilAsync("heartbeat", d => d.GetProperty("hosts").TryGetProperty(host, out _), Wait);

        var entry = beat.GetProperty("hosts").GetProperty(host);
        Assert.Equal(45, entry.GetProperty("ttlSeconds").GetInt64());
        Assert.InRange(entry.GetProperty("remainingSeconds").GetInt64(), 1, 45);
        var age = beat.GetProperty("serverTime").GetDateTimeOffset() - entry.GetProperty("lastBeatAt").GetDateTimeOffset();
        Assert.InRange(age, TimeSpan.Zero, TimeSpan.FromSeconds(45));

        // Once streams are open, /api/hosts shows the heartbeat too.
        var hosts = JsonDocument.Parse(await console.Http.GetStringAsync($"/api/hosts?name={host}")).RootElement;
        Assert.Equal(45, Assert.Single(hosts.EnumerateArray()).GetProperty("heartbeat").GetProperty("ttlSeconds").GetInt64());
    }

    [Fact]
    public async Task StreamCatchesUpWithManyQuickWrites()
    {
        var app = ClusterWriter.NewName();
        await using var events = await EventStreamReader.OpenAsync(console.Http);
        await events.NextAsync(Wait);

        long last = 0;
        for (var i = 1; i <= 40; i++)
            last = await Cluster.PutManifestAsync(app, $"m{i}", Web);

        // However many events it took, the stream ends up at the last write with all forty manifests.
        var snapshot = await events.UntilAsync("snapshot", d => d.GetProperty("revision").GetInt64() >= last, Wait);
        Assert.Equal(40, snapshot.GetProperty("apps").EnumerateArray().Count(a => a.GetProperty("app").GetString() == app));
    }

    private static JsonElement? App(JsonElement snapshot, string app)
    {
        foreach (var a in snapshot.GetProperty("apps").EnumerateArray())
        {
            if (a.GetProperty("app").GetString() == app)
                return a;
        }

        return null;
    }
}
