using Dokkaa.Core.Cluster;
using Dokkaa.Core.Placement;
using Dokkaa.Core.Tests.Support;
using Dokkaa.Testing;
using Xunit;

namespace Dokkaa.Core.Tests.Placement;

/// <summary>
/// The planner weighs and sorts only the hosts that can be among a manifest's targets. Checked against the rule
/// written out in full: every eligible host, least loaded first, then the highest rendezvous weight of host and
/// manifest key; instance i goes to the i-th of them, round robin.
/// </summary>
public sealed class PlacementTargetsTests
{
    private static readonly ManifestId Web = new("shop", "web");

    [Fact]
    public void Targets_follow_the_full_order_of_every_eligible_host()
    {
        for (var seed = 0; seed < 300; seed++)
        {
            var random = new Random(seed);
            var hosts = Enumerable.Range(1, random.Next(1, 40)).Select(h => $"h{h:00}").ToList();
            var draining = hosts.Where(_ => random.Next(8) == 0).ToHashSet();
            var b = new ClusterStateBuilder();
            foreach (var host in hosts)
                b.Host(host, draining: draining.Contains(host));
            // Other manifests' claims make the loads: close together on most seeds, far apart on some.
            var spread = random.Next(4) == 0 ? 200 : 3;
            var load = hosts.ToDictionary(h => h, _ => 0);
            var other = 0;
            foreach (var host in hosts)
            {
                for (var n = random.Next(spread); n > 0; n--)
                {
                    other++;
                    b.Manifest("other", $"m{other}", TestManifests.Web(1));
                    b.Claim("other", $"m{other}", 1, host);
                    load[host]++;
                }
            }

            var manifest = TestManifests.Web(random.Next(1, 60));
            b.Manifest("shop", "web", manifest);
            var plan = PlacementPlanner.Plan(b.State, Web, manifest);

            var key = KeyLayout.Manifest(Web.App, Web.Name);
            var order = hosts.Where(h => !draining.Contains(h))
                .OrderBy(h => load[h]).ThenByDescending(h => RendezvousHash.Weight(h, key)).ToList();
            Assert.Equal(manifest.Scale, plan.Count);
            for (var i = 1; i <= manifest.Scale; i++)
            {
                var expected = order.Count == 0 ? null : order[(i - 1) % order.Count];
                Assert.True(expected == plan[i - 1].Best, $"seed {seed}: instance {i} of {manifest.Scale} over {order.Count} eligible hosts went to {plan[i - 1].Best}, the full order says {expected}");
            }
        }
    }
}
