using Dokkaa.Core.Cluster;
using Dokkaa.Core.Etcd;
using Dokkaa.Core.Manifests;
using Dokkaa.Core.Operations;
using Dokkaa.Testing;
using Dokkaa.Testing.Etcd;
using Xunit;

namespace Dokkaa.Core.Tests.Operations;

public sealed class ClusterOperationsTests : IDisposable
{
    private readonly InMemoryEtcd _etcd = new();
    private readonly InterceptingEtcd _client;
    private readonly ClusterOperations _ops;

    public ClusterOperationsTests()
    {
        _client = new InterceptingEtcd(_etcd);
        _ops = new ClusterOperations(_client);
    }

    public void Dispose() => _client.Dispose();

    private static readonly Manifest Full = new()
    {
        Image = "dockerfile/nginx",
        Scale = 2,
        Services = new Dictionary<string, ServicePort> { ["nginx"] = new(80) },
        Command = new[] { "nginx", "-g", "daemon off;" },
        Links = new[] { "db" },
        Env = new Dictionary<string, string> { ["K"] = "V" },
        Http = new HttpRoute("shop.example.com", 80),
    };

    private async Task<string?> StoredAsync(string app, string name)
    {
        var range = await _etcd.RangeAsync(KeyLayout.Manifest(app, name));
        return range.Kvs.Count == 0 ? null : range.Kvs[0].Value;
    }

    [Theory]
    [InlineData("Dummy", "nginx")]
    [InlineData("dummy", "ngi---nx")]
    [InlineData("", "nginx")]
    [InlineData("dummy", "a/b")]
    public async Task SetManifest_refuses_bad_names_and_writes_nothing(string app, string name)
    {
        var before = _etcd.Revision;

        var e = await Assert.ThrowsAsync<DokkaaException>(() => _ops.SetManifestAsync(app, name, Full));

        Assert.Equal(DokkaaErrorKind.NameInvalid, e.Kind);
        Assert.Equal("DokkaaNameInvalid", e.ErrorId);
        Assert.Equal(before, _etcd.Revision);
    }

    [Fact]
    public async Task SetManifest_refuses_an_invalid_manifest_and_writes_nothing()
    {
        var before = _etcd.Revision;
        var bad = Full with { Services = new Dictionary<string, ServicePort> { ["nginx"] = new(70000) } };

        var e = await Assert.ThrowsAsync<DokkaaException>(() => _ops.SetManifestAsync("dummy", "nginx", bad));

        Assert.Equal(DokkaaErrorKind.ManifestInvalid, e.Kind);
        Assert.Contains("$.services.nginx", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, _etcd.Revision);
    }

    [Fact]
    public async Task SetManifestJson_names_the_field()
    {
        var e = await Assert.ThrowsAsync<DokkaaException>(() => _ops.SetManifestJsonAsync("dummy", "nginx", """{ "image": "dockerfile/nginx", "scale": "two" }"""));

        Assert.Equal(DokkaaErrorKind.ManifestInvalid, e.Kind);
        Assert.Contains("$.scale", e.Message, StringComparison.Ordinal);
        Assert.Null(await StoredAsync("dummy", "nginx"));
    }

    [Fact]
    public async Task SetManifest_creates_updates_and_leaves_an_equal_manifest_alone()
    {
        var created = await _ops.SetManifestAsync("dummy", "nginx", Full);
        Assert.Equal((ManifestChangeKind.Created, (Manifest?)null, _etcd.Revision), (created.Kind, created.Previous, created.Revision));
        Assert.Equal(ManifestSerializer.ToCanonicalJson(Full), await StoredAsync("dummy", "nginx"));

        var revision = _etcd.Revision;
        var unchanged = await _ops.SetManifestAsync("dummy", "nginx", Full with { });
        Assert.Equal((ManifestChangeKind.Unchanged, revision), (unchanged.Kind, unchanged.Revision));
        Assert.Equal(revision, _etcd.Revision);

        var updated = await _ops.SetManifestAsync("dummy", "nginx", Full with { Image = "dockerfile/nginx:2" });
        Assert.Equal(ManifestChangeKind.Updated, updated.Kind);
        Assert.Equal(Full, updated.Previous);
        Assert.Equal(_etcd.Revision, updated.Revision);
        Assert.Equal("dockerfile/nginx:2", ManifestParser.Parse((await StoredAsync("dummy", "nginx"))!).Image);
    }

    [Fact]
    public async Task SetManifest_over_a_hand_written_manifest_reports_an_update()
    {
        await _etcd.PutAsync(KeyLayout.Manifest("dummy", "nginx"), """{"image":"dockerfile/nginx","services":{"nginx":80}}""");

        var change = await _ops.SetManifestAsync("dummy", "nginx", Full);

        Assert.Equal(ManifestChangeKind.Updated, change.Kind);
        Assert.Equal(1, change.Previous!.Scale);
    }

    [Fact]
    public async Task Concurrent_change_between_read_and_write_is_a_conflict_and_wins()
    {
        await _ops.SetManifestAsync("dummy", "nginx", Full);
        var theirs = ManifestSerializer.ToCanonicalJson(Full with { Scale = 9 });
        _client.BeforeNextTxn = () => _etcd.PutAsync(KeyLayout.Manifest("dummy", "nginx"), theirs);

        var e = await Assert.ThrowsAsync<DokkaaException>(() => _ops.SetManifestAsync("dummy", "nginx", Full with { Scale = 3 }));

        Assert.Equal(DokkaaErrorKind.Conflict, e.Kind);
        Assert.Equal(theirs, await StoredAsync("dummy", "nginx"));
    }

    [Fact]
    public async Task Concurrent_create_is_a_conflict()
    {
        var theirs = ManifestSerializer.ToCanonicalJson(Full with { Scale = 9 });
        _client.BeforeNextTxn = () => _etcd.PutAsync(KeyLayout.Manifest("dummy", "nginx"), theirs);

        var e = await Assert.ThrowsAsync<DokkaaException>(() => _ops.SetManifestAsync("dummy", "nginx", Full));

        Assert.Equal(DokkaaErrorKind.Conflict, e.Kind);
        Assert.Equal(theirs, await StoredAsync("dummy", "nginx"));
    }

    [Fact]
    public async Task Expected_revision_guards_against_lost_updates()
    {
        var first = await _ops.SetManifestAsync("dummy", "nginx", Full);
        await _ops.SetManifestAsync("dummy", "nginx", Full with { Scale = 4 });

        var stale = await Assert.ThrowsAsync<DokkaaException>(() => _ops.SetManifestAsync("dummy", "nginx", Full with { Scale = 5 }, first.Revision));
        var mustNotExist = await Assert.ThrowsAsync<DokkaaException>(() => _ops.SetManifestAsync("dummy", "nginx", Full with { Scale = 5 }, 0));

        Assert.Equal((DokkaaErrorKind.Conflict, DokkaaErrorKind.Conflict), (stale.Kind, mustNotExist.Kind));
        Assert.Equal(4, (await _ops.GetManifestAsync("dummy", "nginx")).Manifest!.Scale);
    }

    [Fact]
    public async Task Scale_changes_only_the_scale()
    {
        await _ops.SetManifestAsync("dummy", "nginx", Full);

        var change = await _ops.ScaleAsync("dummy", "nginx", 5);

        Assert.Equal(ManifestChangeKind.Updated, change.Kind);
        Assert.Equal(Full with { Scale = 5 }, (await _ops.GetManifestAsync("dummy", "nginx")).Manifest);
    }

    [Fact]
    public async Task Scale_refuses_a_negative_scale_a_missing_manifest_and_a_broken_one()
    {
        await _ops.SetManifestAsync("dummy", "nginx", Full);
        await _etcd.PutAsync(KeyLayout.Manifest("dummy", "broken"), """{"image":"dockerfile/nginx","scael":2}""");
        var before = _etcd.Revision;

        var negative = await Assert.ThrowsAsync<DokkaaException>(() => _ops.ScaleAsync("dummy", "nginx", -1));
        var missing = await Assert.ThrowsAsync<DokkaaException>(() => _ops.ScaleAsync("dummy", "nope", 2));
        var broken = await Assert.ThrowsAsync<DokkaaException>(() => _ops.ScaleAsync("dummy", "broken", 2));

        Assert.Equal(DokkaaErrorKind.ManifestInvalid, negative.Kind);
        Assert.Equal(DokkaaErrorKind.ManifestNotFound, missing.Kind);
        Assert.Equal(DokkaaErrorKind.ManifestInvalid, broken.Kind);
        Assert.Contains("$.scael", broken.Message, StringComparison.Ordinal);
        Assert.Equal(before, _etcd.Revision);
    }

    [Fact]
    public async Task Remove_deletes_and_a_missing_manifest_is_not_found()
    {
        await _ops.SetManifestAsync("dummy", "nginx", Full);

        await _ops.RemoveManifestAsync("dummy", "nginx");
        var e = await Assert.ThrowsAsync<DokkaaException>(() => _ops.RemoveManifestAsync("dummy", "nginx"));

        Assert.Null(await StoredAsync("dummy", "nginx"));
        Assert.Equal(DokkaaErrorKind.ManifestNotFound, e.Kind);
        Assert.Contains("/apps/dummy/nginx/manifest", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Dummy", "nginx")]
    [InlineData("x", "a---b")]
    [InlineData("..", "y")]
    public async Task A_key_with_a_bad_name_written_by_hand_can_be_read_and_removed(string app, string name)
    {
        await _etcd.PutAsync(KeyLayout.Manifest(app, name), ManifestSerializer.ToCanonicalJson(Full));

        var read = await _ops.GetManifestAsync(app, name);
        var listed = Assert.Single(await _ops.GetManifestsAsync());
        await _ops.RemoveManifestAsync(app, name);

        Assert.Null(read.Manifest);
        Assert.Contains(read.Errors, e => e.Path == "key");
        Assert.Null(listed.Manifest);
        Assert.Null(await StoredAsync(app, name));
    }

    [Theory]
    [InlineData("", "nginx")]
    [InlineData("dummy", "a/b")]
    public async Task Remove_refuses_names_that_cannot_be_a_key_segment(string app, string name)
    {
        var e = await Assert.ThrowsAsync<DokkaaException>(() => _ops.RemoveManifestAsync(app, name));

        Assert.Equal(DokkaaErrorKind.NameInvalid, e.Kind);
    }

    [Fact]
    public async Task Ignored_keys_are_listed_and_only_they_can_be_removed_by_key()
    {
        await _etcd.PutAsync("/apps//x/manifest", "{}");
        await _etcd.PutAsync("/apps/a/b/c/manifest", "{}");
        await _ops.SetManifestAsync("dummy", "nginx", Full);

        var ignored = await _ops.GetIgnoredKeysAsync();
        var manifestKey = await Assert.ThrowsAsync<DokkaaException>(() => _ops.RemoveIgnoredKeyAsync(KeyLayout.Manifest("dummy", "nginx")));
        var outside = await Assert.ThrowsAsync<DokkaaException>(() => _ops.RemoveIgnoredKeyAsync("/dokkaa/status/dummy/nginx"));
        await _ops.RemoveIgnoredKeyAsync("/apps//x/manifest");

        Assert.Equal(new[] { "/apps//x/manifest", "/apps/a/b/c/manifest" }, ignored.Select(i => i.Key));
        Assert.All(ignored, i => Assert.Contains("dokkaa rm --key", i.Reason, StringComparison.Ordinal));
        Assert.Equal(DokkaaErrorKind.NameInvalid, manifestKey.Kind);
        Assert.Equal(DokkaaErrorKind.NameInvalid, outside.Kind);
        Assert.Equal(new[] { "/apps/a/b/c/manifest" }, (await _ops.GetIgnoredKeysAsync()).Select(i => i.Key));
        Assert.NotNull(await StoredAsync("dummy", "nginx"));
    }

    [Fact]
    public async Task A_host_key_without_a_lease_is_not_a_host_and_only_it_can_be_removed_by_key()
    {
        var record = ClusterJson.Serialize(new HostRecord { Address = "10.0.0.2", AgentVersion = "0.1.0" });
        var lease = await _etcd.LeaseGrantAsync(60);
        await _etcd.PutAsync(KeyLayout.Host("live"), record, lease.Id);
        await _etcd.PutAsync(KeyLayout.Host("forever"), record);

        var hosts = await _ops.GetHostsAsync();
        var ignored = Assert.Single(await _ops.GetIgnoredKeysAsync());
        var live = await Assert.ThrowsAsync<DokkaaException>(() => _ops.RemoveIgnoredKeyAsync(KeyLayout.Host("live")));
        await _ops.RemoveIgnoredKeyAsync(KeyLayout.Host("forever"));

        Assert.Equal(new[] { "live" }, hosts.Select(h => h.Name));
        Assert.Equal(KeyLayout.Host("forever"), ignored.Key);
        Assert.Contains("without a lease", ignored.Reason, StringComparison.Ordinal);
        Assert.Contains("live host live", live.Message, StringComparison.Ordinal);
        Assert.Empty(await _ops.GetIgnoredKeysAsync());
        Assert.Single(await _ops.GetHostsAsync());
    }

    [Fact]
    public async Task GetManifest_of_a_missing_manifest_is_not_found()
    {
        var e = await Assert.ThrowsAsync<DokkaaException>(() => _ops.GetManifestAsync("dummy", "nginx"));

        Assert.Equal(DokkaaErrorKind.ManifestNotFound, e.Kind);
    }

    [Theory]
    [InlineData(null, null, "dummy/db dummy/nginx shop/nginx shopping/web")]
    [InlineData("*", "*", "dummy/db dummy/nginx shop/nginx shopping/web")]
    [InlineData("dummy", null, "dummy/db dummy/nginx")]
    [InlineData("shop", null, "shop/nginx")]
    [InlineData("shop*", null, "shop/nginx shopping/web")]
    [InlineData("s?op", "*", "shop/nginx")]
    [InlineData(null, "nginx", "dummy/nginx shop/nginx")]
    [InlineData("dummy", "n*", "dummy/nginx")]
    [InlineData("nope", null, "")]
    [InlineData("*", "x*", "")]
    public async Task GetManifests_filters_with_wildcards(string? app, string? name, string expected)
    {
        foreach (var (a, n) in new[] { ("dummy", "nginx"), ("dummy", "db"), ("shop", "nginx"), ("shopping", "web") })
            await _ops.SetManifestAsync(a, n, Full);
        await _etcd.PutAsync("/apps/dummy/nginx/notes", "not a manifest");

        var found = await _ops.GetManifestsAsync(app, name);

        Assert.Equal(expected, string.Join(" ", found.Select(m => $"{m.App}/{m.Name}")));
        Assert.All(found, m => Assert.Equal(Full, m.Manifest));
    }

    [Fact]
    public async Task GetManifests_lists_a_broken_manifest_with_its_errors()
    {
        await _etcd.PutAsync(KeyLayout.Manifest("dummy", "broken"), "{ nope");

        var info = Assert.Single(await _ops.GetManifestsAsync("dummy"));

        Assert.False(info.IsValid);
        Assert.Null(info.Hash);
        Assert.Equal("{ nope", info.Raw);
        Assert.NotEmpty(info.Errors);
    }

    [Fact]
    public async Task GetStatus_before_any_agent_reported_shows_everything_pending()
    {
        var change = await _ops.SetManifestAsync("dummy", "nginx", Full with { Scale = 3 });

        var status = Assert.Single(await _ops.GetStatusAsync("dummy", "nginx"));

        Assert.Equal((3, 0, 3, 0), (status.Desired, status.Running, status.Pending, status.Outdated));
        Assert.Equal((0L, change.Revision), (status.ObservedRevision, status.ManifestRevision));
        Assert.Equal(new[] { "no agent has reported on this manifest yet" }, status.Errors);
        Assert.False(status.Converged);
    }

    [Fact]
    public async Task GetStatus_of_a_broken_manifest_without_report_lists_its_errors()
    {
        await _etcd.PutAsync(KeyLayout.Manifest("dummy", "broken"), """{"image":"dockerfile/nginx","scale":-2}""");

        var status = Assert.Single(await _ops.GetStatusAsync());

        Assert.Equal(0, status.Desired);
        Assert.StartsWith("manifest: $.scale", status.Errors[0], StringComparison.Ordinal);
        Assert.Equal("no agent has reported on this manifest yet", status.Errors[^1]);
    }

    [Fact]
    public async Task GetStatus_shows_what_the_agents_reported()
    {
        var change = await _ops.SetManifestAsync("dummy", "nginx", Full);
        var report = new StatusRecord { ObservedRevision = change.Revision, ManifestHash = "h", Desired = 2, Running = 2 };
        await _etcd.PutAsync(KeyLayout.Status("dummy", "nginx"), ClusterJson.Serialize(report));

        var status = Assert.Single(await _ops.GetStatusAsync("d*"));

        Assert.Equal((2, 2, 0, 0), (status.Desired, status.Running, status.Pending, status.Outdated));
        Assert.Empty(status.Errors);
        Assert.True(status.Converged);
        Assert.True((await _ops.WaitForManifestAsync("dummy", "nginx", TimeSpan.Zero)).Converged);
    }

    [Fact]
    public async Task GetHosts_shows_a_host_drained_by_the_operator_as_draining()
    {
        var record = new HostRecord { Address = "10.0.0.2", AgentVersion = "0.1.0" };
        var lease = await _etcd.LeaseGrantAsync(60);
        await _etcd.PutAsync(KeyLayout.Host("h1"), ClusterJson.Serialize(record), lease.Id);
        await _etcd.PutAsync(KeyLayout.Host("h2"), ClusterJson.Serialize(record), lease.Id);
        await _etcd.PutAsync(KeyLayout.Drain("h2"), "{}");

        var hosts = await _ops.GetHostsAsync();

        Assert.Equal(new[] { ("h1", false), ("h2", true) }, hosts.Select(h => (h.Name, h.Draining)));
    }

    [Fact]
    public async Task Waiting_for_a_missing_manifest_is_not_found()
    {
        var e = await Assert.ThrowsAsync<DokkaaException>(() => _ops.WaitForManifestAsync("dummy", "nginx", TimeSpan.FromMinutes(1)));

        Assert.Equal(DokkaaErrorKind.ManifestNotFound, e.Kind);
    }

    [Fact]
    public async Task Unreachable_etcd_is_reported_as_such()
    {
        _client.Failure = new EtcdException("no endpoint answered");

        var set = await Assert.ThrowsAsync<DokkaaException>(() => _ops.SetManifestAsync("dummy", "nginx", Full));
        var get = await Assert.ThrowsAsync<DokkaaException>(() => _ops.GetManifestsAsync());
        var status = await Assert.ThrowsAsync<DokkaaException>(() => _ops.GetStatusAsync());

        Assert.All(new[] { set, get, status }, e => Assert.Equal(DokkaaErrorKind.ClusterUnreachable, e.Kind));
        Assert.Contains("no endpoint answered", set.Message, StringComparison.Ordinal);
    }
}
