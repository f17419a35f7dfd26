using Dokkaa.Core.Cluster;
using Dokkaa.Core.Etcd;
using Dokkaa.Core.Manifests;
using Dokkaa.Core.Status;
using Dokkaa.Core.Tests.Support;
using Dokkaa.Testing;
using Xunit;

namespace Dokkaa.Core.Tests.Cluster;

public sealed class ClusterStateApplyTests
{
    private static readonly string ManifestKey = KeyLayout.Manifest("dummy", "nginx");
    private readonly ClusterStateBuilder _b = new();

    [Fact]
    public void Valid_manifest_is_parsed_and_remembered_as_last_valid()
    {
        _b.Manifest("dummy", "nginx", TestManifests.Web(scale: 2));

        var entry = _b.Entry("dummy", "nginx");
        Assert.True(entry.IsValid);
        Assert.Equal(2, entry.Manifest!.Scale);
        Assert.Same(entry.Manifest, entry.LastValid);
        Assert.Empty(entry.Errors);
        Assert.Equal(_b.Revision, entry.ModRevision);
        Assert.Equal(ManifestSerializer.ContainerHash(entry.Manifest), entry.Hash);
    }

    [Fact]
    public void Manifest_remembers_the_revision_that_created_it_across_edits()
    {
        _b.Manifest("dummy", "nginx", TestManifests.Web(scale: 2));
        var created = _b.Revision;
        _b.Manifest("dummy", "other", TestManifests.Web(scale: 1));

        _b.Manifest("dummy", "nginx", TestManifests.Web(scale: 3));
        _b.Put(ManifestKey, "not json");

        Assert.Equal(created, _b.Entry("dummy", "nginx").CreateRevision);
        Assert.Equal(created + 1, _b.Entry("dummy", "other").CreateRevision);
    }

    [Fact]
    public void Invalid_manifest_keeps_the_last_valid_one_as_effective()
    {
        _b.Manifest("dummy", "nginx", TestManifests.Web(scale: 2));
        var valid = _b.Entry("dummy", "nginx");

        _b.Put(ManifestKey, """{ "image": "dockerfile/nginx", "scale": -1 }""");

        var entry = _b.Entry("dummy", "nginx");
        Assert.False(entry.IsValid);
        Assert.Null(entry.Manifest);
        Assert.NotEmpty(entry.Errors);
        Assert.Same(valid.Manifest, entry.LastValid);
        Assert.Same(valid.Manifest, entry.Effective);
        Assert.Equal(valid.Hash, entry.Hash);
    }

    [Fact]
    public void Second_invalid_edit_still_remembers_the_last_valid_one()
    {
        _b.Manifest("dummy", "nginx", TestManifests.Web(scale: 2));
        var valid = _b.Entry("dummy", "nginx").Manifest;

        _b.Put(ManifestKey, "not json").Put(ManifestKey, "{}");

        Assert.Same(valid, _b.Entry("dummy", "nginx").Effective);
    }

    [Fact]
    public void Invalid_manifest_without_history_has_no_effective_manifest()
    {
        _b.Put(ManifestKey, """{ "image": 5 }""");

        var entry = _b.Entry("dummy", "nginx");
        Assert.Null(entry.Effective);
        Assert.Null(entry.Hash);
        Assert.Contains(entry.Errors, e => e.Path.StartsWith("$.image", StringComparison.Ordinal));
        Assert.Equal("""{ "image": 5 }""", entry.Raw);
    }

    [Fact]
    public void Deleting_a_manifest_removes_it_and_forgets_its_history()
    {
        _b.Manifest("dummy", "nginx", TestManifests.Web()).Delete(ManifestKey);
        Assert.Empty(_b.State.Manifests);

        _b.Put(ManifestKey, "broken");
        Assert.Null(_b.Entry("dummy", "nginx").LastValid);
    }

    [Fact]
    public void Instance_claim_is_read_with_its_revisions_and_lease()
    {
        _b.Manifest("dummy", "nginx", TestManifests.Web())
          .Claim("dummy", "nginx", 1, "a", InstanceState.Starting);
        var created = _b.Revision;
        _b.Claim("dummy", "nginx", 1, "a", InstanceState.Running, ports: new Dictionary<string, int> { ["80/tcp"] = 32768 });

        var claim = _b.State.Claim(new InstanceId("dummy", "nginx", 1));
        Assert.NotNull(claim);
        Assert.Equal(InstanceState.Running, claim.Record.State);
        Assert.Equal("a", claim.Record.Host);
        Assert.Equal(32768, claim.Record.Ports["80/tcp"]);
        Assert.Equal(created, claim.CreateRevision);
        Assert.Equal(_b.Revision, claim.ModRevision);
        Assert.Equal(100, claim.Lease);
    }

    [Fact]
    public void Claims_of_returns_only_that_manifest_in_instance_order()
    {
        _b.Claim("dummy", "nginx", 10, "a").Claim("dummy", "nginx", 2, "a").Claim("dummy", "nginx-b", 1, "a").Claim("other", "nginx", 1, "a");

        var claims = _b.State.ClaimsOf(new ManifestId("dummy", "nginx")).Select(c => c.Id.Instance);

        Assert.Equal(new[] { 2, 10 }, claims);
    }

    [Fact]
    public void Deleted_claim_and_host_disappear()
    {
        _b.Host("a").Claim("dummy", "nginx", 1, "a");

        _b.Delete(KeyLayout.Instance("dummy", "nginx", 1)).Delete(KeyLayout.Host("a"));

        Assert.Empty(_b.State.Instances);
        Assert.Empty(_b.State.Hosts);
    }

    [Fact]
    public void Host_record_is_read()
    {
        _b.Host("b", capacity: 3, draining: true);

        var host = _b.State.Hosts["b"];
        Assert.Equal(("b", 3, true, 100L), (host.HostId, host.Record.Capacity, host.Record.Draining, host.Lease));
    }

    [Fact]
    public void Status_record_is_read_and_deleted()
    {
        var status = new StatusRecord { ObservedRevision = 4, Desired = 2, Running = 1, Pending = 1, Errors = new[] { "boom" } };
        _b.Put(KeyLayout.Status("dummy", "nginx"), ClusterJson.Serialize(status));

        var (record, modRevision) = _b.State.Statuses[new ManifestId("dummy", "nginx")];
        Assert.True(record.SameAs(status));
        Assert.Equal(_b.Revision, modRevision);

        _b.Delete(KeyLayout.Status("dummy", "nginx"));
        Assert.Empty(_b.State.Statuses);
    }

    [Fact]
    public void Rollout_lock_is_read_and_deleted()
    {
        _b.Rollout("dummy", "nginx", new RolloutRecord { Host = "a", Instance = 2, ManifestHash = "h", Failed = true, Error = "no image" });

        var rollout = _b.State.Rollouts[new ManifestId("dummy", "nginx")];
        Assert.Equal(("a", 2, "h", true, "no image"), (rollout.Record.Host, rollout.Record.Instance, rollout.Record.ManifestHash, rollout.Record.Failed, rollout.Record.Error));
        Assert.Equal(_b.Revision, rollout.CreateRevision);

        _b.Delete(KeyLayout.Rollout("dummy", "nginx"));
        Assert.Empty(_b.State.Rollouts);
    }

    [Theory]
    [InlineData("/dokkaa/instances/dummy/nginx/1")]
    [InlineData("/dokkaa/hosts/a")]
    [InlineData("/dokkaa/status/dummy/nginx")]
    [InlineData("/dokkaa/rollout/dummy/nginx")]
    public void Garbage_in_a_runtime_key_is_ignored_not_thrown(string key)
    {
        foreach (var garbage in new[] { "", "not json", "{", "[]", "42", "\"text\"", "null" })
        {
            var state = _b.Put(key, garbage).State;
            Assert.Empty(state.Instances);
            Assert.Empty(state.Hosts);
            Assert.Empty(state.Statuses);
            Assert.Empty(state.Rollouts);
        }
    }

    [Fact]
    public void Garbage_over_a_good_claim_drops_the_claim()
    {
        _b.Claim("dummy", "nginx", 1, "a").Put(KeyLayout.Instance("dummy", "nginx", 1), "{oops");

        Assert.Empty(_b.State.Instances);
    }

    [Theory]
    [InlineData("/dokkaa/instances/dummy/nginx/1", """{"host":null,"address":"x","manifestHash":"h"}""")]
    [InlineData("/dokkaa/instances/dummy/nginx/1", """{"host":"a","address":"x","manifestHash":"h","ports":null}""")]
    [InlineData("/dokkaa/instances/dummy/nginx/1", """{"host":"a","address":"x","manifestHash":"h","ports":{"80/tcp":null}}""")]
    [InlineData("/dokkaa/hosts/a", """{"address":"x","agentVersion":"1","labels":null}""")]
    [InlineData("/dokkaa/hosts/a", """{"address":null,"agentVersion":"1"}""")]
    [InlineData("/dokkaa/status/dummy/nginx", """{"errors":null}""")]
    [InlineData("/dokkaa/status/dummy/nginx", """{"errors":[null]}""")]
    [InlineData("/dokkaa/rollout/dummy/nginx", """{"host":"a","manifestHash":null}""")]
    public void Hand_written_records_with_nulls_where_none_belong_are_ignored(string key, string json)
    {
        // Code downstream (placement, resolver, status) trusts the non-nullable members.
        var state = _b.Put(key, json).State;

        Assert.Empty(state.Instances);
        Assert.Empty(state.Hosts);
        Assert.Empty(state.Statuses);
        Assert.Empty(state.Rollouts);
    }

    [Fact]
    public void Keys_dokkaa_does_not_own_are_ignored_but_advance_the_revision()
    {
        _b.Put("/apps/dummy/nginx/notes", "hello").Put("/elsewhere", "x").Put("/dokkaa/other/thing", "y");

        Assert.Empty(_b.State.Manifests);
        Assert.Equal(3, _b.State.Revision);
    }

    [Fact]
    public void Revision_follows_the_newest_event_and_never_goes_back()
    {
        var state = ClusterState.Empty
            .Apply(new WatchEvent(WatchEventType.Put, new KeyValue("/x", "", 7, 7, 1, 0)))
            .Apply(new WatchEvent(WatchEventType.Delete, new KeyValue("/x", "", 0, 9, 0, 0)));
        Assert.Equal(9, state.Revision);

        Assert.Equal(9, state.Apply(new WatchEvent(WatchEventType.Put, new KeyValue("/y", "", 3, 3, 1, 0))).Revision);
    }

    [Fact]
    public void Apply_returns_a_new_state_and_leaves_the_old_one_alone()
    {
        var before = _b.Manifest("dummy", "nginx", TestManifests.Web()).State;

        var after = before.Apply(new WatchEvent(WatchEventType.Delete, new KeyValue(ManifestKey, "", 0, 50, 0, 0)));

        Assert.Single(before.Manifests);
        Assert.Empty(after.Manifests);
    }
}
