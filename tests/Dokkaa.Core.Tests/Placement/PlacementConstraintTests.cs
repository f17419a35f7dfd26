using Dokkaa.Core.Cluster;
using Dokkaa.Core.Manifests;
using Dokkaa.Core.Placement;
using Dokkaa.Core.Status;
using Dokkaa.Testing;
using Xunit;

namespace Dokkaa.Core.Tests.Placement;

/// <summary>Host labels, CPU and memory: instances go only where they fit, and the rest stay pending.</summary>
public sealed class PlacementConstraintTests
{
    private static readonly ManifestId Web = new("shop", "web");
    private const long Gi = 1024L * 1024 * 1024;

    private static Manifest Wanting(int scale, IReadOnlyDictionary<string, string>? constraints = null, ResourceRequest? resources = null) =>
        ManifestParser.Parse("""{"image":"dokkaa/busybox:test"}""") with
        {
            Scale = scale,
            Constraints = constraints ?? new Dictionary<string, string>(),
            Resources = resources,
        };

    [Fact]
    public void Only_hosts_carrying_every_required_label_are_ranked()
    {
        var b = new ClusterStateBuilder()
            .Host("a", labels: new Dictionary<string, string> { ["zone"] = "eu-1", ["ssd"] = "true" })
            .Host("b", labels: new Dictionary<string, string> { ["zone"] = "eu-1" })
            .Host("c", labels: new Dictionary<string, string> { ["zone"] = "us-1", ["ssd"] = "true" });
        var manifest = Wanting(2, new Dictionary<string, string> { ["zone"] = "eu-1", ["ssd"] = "true" });

        var plan = PlacementPlanner.Plan(b.State, Web, manifest);

        Assert.All(plan, p => Assert.Equal(new[] { "a" }, p.RankedHosts));
    }

    [Fact]
    public void Cpu_reservations_fill_a_host_and_then_go_elsewhere_and_then_nowhere()
    {
        var b = new ClusterStateBuilder().Host("a", milliCpus: 1000).Host("b", milliCpus: 1000);
        var manifest = Wanting(5, resources: new ResourceRequest(500, 0));

        var plan = PlacementPlanner.Plan(b.State, Web, manifest);

        Assert.Equal(new[] { 2, 2 }, plan.Where(p => p.RankedHosts.Count > 0).GroupBy(p => p.RankedHosts[0]).Select(g => g.Count()).ToArray());
        Assert.Empty(plan[4].RankedHosts);
    }

    [Fact]
    public void Memory_already_reserved_by_other_manifests_counts()
    {
        var other = Wanting(1, resources: new ResourceRequest(0, 3 * Gi));
        var b = new ClusterStateBuilder().Host("a", memoryBytes: 4 * Gi).Host("b", memoryBytes: 4 * Gi)
            .Manifest("shop", "db", other).Claim("shop", "db", 1, "a");
        var manifest = Wanting(1, resources: new ResourceRequest(0, 2 * Gi));

        var plan = PlacementPlanner.Plan(b.State, Web, manifest);

        Assert.Equal(new[] { "b" }, Assert.Single(plan).RankedHosts);
    }

    [Fact]
    public void Instances_that_fit_nowhere_are_reported_pending_with_the_reason()
    {
        var b = new ClusterStateBuilder().Host("a", labels: new Dictionary<string, string> { ["zone"] = "us-1" })
            .Manifest("shop", "web", Wanting(2, new Dictionary<string, string> { ["zone"] = "eu-1" }));

        var status = StatusCalculator.Compute(b.State, b.Entry("shop", "web"));

        Assert.Equal(2, status.Pending);
        var error = Assert.Single(status.Errors);
        Assert.Contains("2 instance(s) pending: no eligible host", error, StringComparison.Ordinal);
        Assert.Contains("labels zone=eu-1", error, StringComparison.Ordinal);
    }
}
