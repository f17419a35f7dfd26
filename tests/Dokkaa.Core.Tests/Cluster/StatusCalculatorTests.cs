using Dokkaa.Core.Cluster;
using Dokkaa.Core.Status;
using Dokkaa.Core.Tests.Support;
using Dokkaa.Testing;
using Xunit;

namespace Dokkaa.Core.Tests.Cluster;

public sealed class StatusCalculatorTests
{
    private readonly ClusterStateBuilder _b = new ClusterStateBuilder().Host("a").Host("b");

    private StatusRecord Compute(string app = "dummy", string name = "nginx") =>
        StatusCalculator.Compute(_b.State, _b.Entry(app, name));

    [Fact]
    public void Counts_running_outdated_and_pending()
    {
        _b.Manifest("dummy", "nginx", TestManifests.Web(scale: 4))
          .Claim("dummy", "nginx", 1, "a")
          .Claim("dummy", "nginx", 2, "b", hash: "older")
          .Claim("dummy", "nginx", 3, "a", InstanceState.Starting);

        var status = Compute();

        Assert.Equal((4, 1, 1, 1), (status.Desired, status.Running, status.Outdated, status.Pending));
        Assert.Equal(_b.HashOf("dummy", "nginx"), status.ManifestHash);
        Assert.Equal(_b.Entry("dummy", "nginx").ModRevision, status.ObservedRevision);
        Assert.Empty(status.Errors);
    }

    [Fact]
    public void Claims_above_scale_are_not_counted()
    {
        _b.Manifest("dummy", "nginx", TestManifests.Web(scale: 1))
          .Claim("dummy", "nginx", 1, "a")
          .Claim("dummy", "nginx", 2, "b")
          .Claim("dummy", "nginx", 3, "b", error: "exited");

        var status = Compute();

        Assert.Equal((1, 1, 0, 0), (status.Desired, status.Running, status.Outdated, status.Pending));
        Assert.Empty(status.Errors);
    }

    [Fact]
    public void Claims_of_other_manifests_are_not_counted()
    {
        _b.Manifest("dummy", "nginx", TestManifests.Web(scale: 2))
          .Claim("dummy", "nginx-2", 1, "a")
          .Claim("other", "nginx", 2, "a");

        Assert.Equal((0, 2), (Compute().Running, Compute().Pending));
    }

    [Fact]
    public void Scale_zero_is_converged_with_nothing()
    {
        _b.Manifest("dummy", "nginx", TestManifests.Web(scale: 0));

        var status = Compute();

        Assert.Equal((0, 0, 0, 0), (status.Desired, status.Running, status.Outdated, status.Pending));
        Assert.Empty(status.Errors);
    }

    [Fact]
    public void Claim_errors_name_the_instance_and_host()
    {
        _b.Manifest("dummy", "nginx", TestManifests.Web(scale: 2))
          .Claim("dummy", "nginx", 2, "b", InstanceState.Failed, error: "image not found");

        var status = Compute();

        Assert.Equal(new[] { "instance 2 on b: image not found" }, status.Errors);
        Assert.Equal((0, 1), (status.Running, status.Pending));
    }

    [Fact]
    public void Link_to_a_missing_service_is_an_error()
    {
        _b.Manifest("dummy", "web", TestManifests.Plain(links: new[] { "db", "nginx", "nginx.shop", "cache.shop" }))
          .Manifest("dummy", "nginx", TestManifests.Web())
          .Manifest("shop", "front", TestManifests.Web());

        var status = Compute(name: "web");

        Assert.Equal(
            new[] { "link cache.shop: no manifest in app shop provides service cache", "link db: no manifest in app dummy provides service db" },
            status.Errors.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Link_to_a_service_of_another_app_does_not_count_for_the_same_app()
    {
        _b.Manifest("dummy", "web", TestManifests.Plain(links: new[] { "nginx" }))
          .Manifest("shop", "nginx", TestManifests.Web());

        Assert.Equal(new[] { "link nginx: no manifest in app dummy provides service nginx" }, Compute(name: "web").Errors);
    }

    [Fact]
    public void Invalid_manifest_without_history_reports_its_errors_and_nothing_else()
    {
        _b.Put(KeyLayout.Manifest("dummy", "nginx"), """{ "image": "dockerfile/nginx", "services": { "nginx": 70000 } }""");

        var status = Compute();

        Assert.Null(status.ManifestHash);
        Assert.Equal((0, 0, 0), (status.Desired, status.Running, status.Pending));
        Assert.Equal(2, status.Errors.Count);
        Assert.StartsWith("manifest: $.services.nginx", status.Errors[0], StringComparison.Ordinal);
        Assert.Equal("manifest is invalid; nothing was changed", status.Errors[1]);
        Assert.Equal(_b.Revision, status.ObservedRevision);
    }

    [Fact]
    public void Invalid_edit_reports_errors_and_counts_against_the_last_valid_manifest()
    {
        _b.Manifest("dummy", "nginx", TestManifests.Web(scale: 2)).Claim("dummy", "nginx", 1, "a");
        var validHash = _b.HashOf("dummy", "nginx");
        _b.Put(KeyLayout.Manifest("dummy", "nginx"), """{ "image": "dockerfile/nginx", "scael": 3 }""");

        var status = Compute();

        Assert.Equal(validHash, status.ManifestHash);
        Assert.Equal((2, 1, 1), (status.Desired, status.Running, status.Pending));
        Assert.StartsWith("manifest: $.scael", status.Errors[0], StringComparison.Ordinal);
        Assert.Equal("manifest is invalid; the last valid version keeps running", status.Errors[^1]);
        Assert.Equal(_b.Revision, status.ObservedRevision);
    }

    [Fact]
    public void Failed_rollout_of_the_current_manifest_is_an_error()
    {
        _b.Manifest("dummy", "nginx", TestManifests.Web());
        _b.Rollout("dummy", "nginx", new RolloutRecord { Host = "a", Instance = 1, ManifestHash = _b.HashOf("dummy", "nginx"), Failed = true, Error = "no image" });

        Assert.Equal(new[] { "rolling update stopped: no image" }, Compute().Errors);
    }

    [Theory]
    [InlineData(false, true)]
    [InlineData(true, false)]
    public void Rollout_that_is_running_or_of_another_manifest_is_not_an_error(bool failed, bool sameHash)
    {
        _b.Manifest("dummy", "nginx", TestManifests.Web());
        var hash = sameHash ? _b.HashOf("dummy", "nginx") : "older";
        _b.Rollout("dummy", "nginx", new RolloutRecord { Host = "a", Instance = 1, ManifestHash = hash, Failed = failed, Error = "x" });

        Assert.Empty(Compute().Errors);
    }

    [Fact]
    public void Pending_with_only_draining_hosts_says_so()
    {
        var b = new ClusterStateBuilder().Host("a", draining: true).Manifest("dummy", "nginx", TestManifests.Web(scale: 2));

        var status = StatusCalculator.Compute(b.State, b.Entry("dummy", "nginx"));

        Assert.Equal(new[] { "2 instance(s) pending: no eligible host (1 live host(s), none with room left or matching)" }, status.Errors);
    }

    [Fact]
    public void Pending_with_no_host_at_all_says_so()
    {
        var b = new ClusterStateBuilder().Manifest("dummy", "nginx", TestManifests.Web(scale: 1));

        var status = StatusCalculator.Compute(b.State, b.Entry("dummy", "nginx"));

        Assert.Equal(new[] { "1 instance(s) pending: no eligible host (no live host)" }, status.Errors);
    }

    [Fact]
    public void Same_snapshot_gives_the_same_status()
    {
        _b.Manifest("dummy", "nginx", TestManifests.Web(scale: 2, links: "db")).Claim("dummy", "nginx", 1, "a", error: "flaky");

        Assert.True(Compute().SameAs(Compute()));
    }

    [Fact]
    public void SameAs_compares_errors_by_content()
    {
        var a = new StatusRecord { ObservedRevision = 3, ManifestHash = "h", Desired = 2, Running = 1, Pending = 1, Errors = new List<string> { "x" } };
        var b = a with { Errors = new[] { "x" } };

        Assert.True(a.SameAs(b));
        Assert.False(a.SameAs(b with { Errors = new[] { "y" } }));
        Assert.False(a.SameAs(b with { Errors = Array.Empty<string>() }));
        Assert.False(a.SameAs(b with { ObservedRevision = 4 }));
        Assert.False(a.SameAs(b with { ManifestHash = "g" }));
        Assert.False(a.SameAs(b with { Desired = 3 }));
        Assert.False(a.SameAs(b with { Running = 2 }));
        Assert.False(a.SameAs(b with { Pending = 0 }));
        Assert.False(a.SameAs(b with { Outdated = 1 }));
    }
    [Fact]
    public void A_later_manifest_offering_a_service_of_its_app_is_told_who_owns_it()
    {
        _b.Manifest("dummy", "nginx", TestManifests.Web())
          .Manifest("dummy", "thief", TestManifests.Web())
          .Claim("dummy", "nginx", 1, "a")
          .Claim("dummy", "thief", 1, "b");

        Assert.Empty(Compute().Errors);
        var error = Assert.Single(Compute(name: "thief").Errors);
        Assert.StartsWith("service nginx is already offered by dummy/nginx", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_host_whose_fence_does_not_run_is_named_in_the_status_of_its_exclusive_manifests_only()
    {
        var record = new HostRecord { Address = "c.hosts.test", AgentVersion = "0.1.0", FenceError = "the fence process did not start within 10 s" };
        _b.Put(KeyLayout.Host("c"), ClusterJson.Serialize(record), lease: 100)
          .Manifest("dummy", "nginx", TestManifests.Web(scale: 1) with { Exclusive = true })
          .Manifest("other", "plain", TestManifests.Web(scale: 1))
          .Claim("dummy", "nginx", 1, "c", InstanceState.Starting)
          .Claim("other", "plain", 1, "c");

        Assert.Equal(new[] { "exclusive instances cannot start on c: the fence process did not start within 10 s" }, Compute().Errors);
        Assert.Empty(Compute("other", "plain").Errors);
    }
}
