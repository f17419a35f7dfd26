using Dokkaa.Core.Cluster;
using Dokkaa.Core.Manifests;
using Dokkaa.Core.Placement;
using Dokkaa.Core.Status;
using Dokkaa.Core.Tests.Support;
using Dokkaa.Testing;
using Xunit;

namespace Dokkaa.Core.Tests.Placement;

/// <summary>The one rule for whether a host can take an instance, and the callers that must agree with it.</summary>
public sealed class HostFitTests
{
    private static readonly Dictionary<string, string> Eu = new() { ["zone"] = "eu-1" };

    private static Manifest Wanting(int scale = 1, IReadOnlyDictionary<string, string>? constraints = null, ResourceRequest? resources = null) =>
        TestManifests.Plain(scale) with { Constraints = constraints ?? new Dictionary<string, string>(), Resources = resources };

    private static HostEntry Host(ClusterStateBuilder b, string id) => b.State.Hosts[id];

    [Fact]
    public void A_host_accepts_when_it_carries_every_required_label_and_is_not_draining()
    {
        var b = new ClusterStateBuilder()
            .Host("labelled", labels: Eu)
            .Host("unlabelled")
            .Host("flagged", draining: true, labels: Eu)
            .Host("drained", labels: Eu).Put(KeyLayout.Drain("drained"), "{}");
        var manifest = Wanting(constraints: Eu);

        Assert.True(HostFit.Accepts(b.State, Host(b, "labelled"), manifest));
        Assert.False(HostFit.Accepts(b.State, Host(b, "unlabelled"), manifest));
        Assert.False(HostFit.Accepts(b.State, Host(b, "flagged"), manifest));
        Assert.False(HostFit.Accepts(b.State, Host(b, "drained"), manifest));
        Assert.True(HostFit.Accepts(b.State, Host(b, "unlabelled"), Wanting()));
    }

    [Fact]
    public void A_host_at_its_instance_capacity_takes_nothing_more()
    {
        var b = new ClusterStateBuilder().Host("a", capacity: 1)
            .Manifest("shop", "db", Wanting()).Claim("shop", "db", 1, "a");

        Assert.False(HostFit.AnyHostTakes(b.State, Wanting()));
        Assert.True(HostFit.AnyHostTakes(new ClusterStateBuilder().Host("a", capacity: 2).State, Wanting()));
    }

    [Fact]
    public void Reservations_of_every_claim_count_against_cpu_and_memory()
    {
        var b = new ClusterStateBuilder().Host("a", milliCpus: 1000)
            .Manifest("shop", "db", Wanting(resources: new ResourceRequest(600, 0))).Claim("shop", "db", 1, "a");

        Assert.False(HostFit.AnyHostTakes(b.State, Wanting(resources: new ResourceRequest(500, 0))));
        Assert.True(HostFit.AnyHostTakes(b.State, Wanting(resources: new ResourceRequest(400, 0))));
    }

    [Fact]
    public void The_host_an_instance_leaves_is_not_counted_as_somewhere_else()
    {
        var b = new ClusterStateBuilder().Host("a").Host("b", labels: Eu);

        Assert.False(HostFit.AnyHostTakes(b.State, Wanting(constraints: Eu), except: "b"));
        Assert.True(HostFit.AnyHostTakes(b.State, Wanting(constraints: Eu), except: "a"));
    }

    [Fact]
    public void Planner_and_status_agree_when_no_host_fits()
    {
        var b = new ClusterStateBuilder().Host("a").Host("b")
            .Manifest("shop", "web", Wanting(scale: 2, constraints: Eu));
        var id = new ManifestId("shop", "web");
        var manifest = b.Entry("shop", "web").Effective!;

        Assert.All(PlacementPlanner.Plan(b.State, id, manifest), p => Assert.Empty(p.RankedHosts));
        Assert.Contains(StatusCalculator.Compute(b.State, b.Entry("shop", "web")).Errors, e => e.Contains("no eligible host", StringComparison.Ordinal));
        Assert.False(HostFit.AnyHostTakes(b.State, manifest));
    }
}
