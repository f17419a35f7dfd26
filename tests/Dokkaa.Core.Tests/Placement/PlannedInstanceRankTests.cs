using Dokkaa.Core.Cluster;
using Dokkaa.Core.Placement;
using Dokkaa.Core.Tests.Support;
using Dokkaa.Testing;
using Xunit;

namespace Dokkaa.Core.Tests.Placement;

/// <summary>
/// <see cref="PlannedInstance.Best"/> and <see cref="PlannedInstance.RankOf(string, int)"/> answer without building
/// the full ranking; they must agree with it, for every instance of a plan and every host.
/// </summary>
public sealed class PlannedInstanceRankTests
{
    private static readonly ManifestId Web = new("shop", "web");

    [Fact]
    public void Best_and_RankOf_agree_with_the_full_ranking_on_random_clusters()
    {
        for (var seed = 0; seed < 200; seed++)
        {
            var random = new Random(seed);
            var hosts = Enumerable.Range(1, random.Next(1, 9)).Select(h => $"h{h}").ToList();
            var manifest = TestManifests.Web(random.Next(1, 12));
            ClusterStateBuilder Build()
            {
                var r = new Random(seed * 7919);
                var b = new ClusterStateBuilder();
                foreach (var host in hosts)
                    b.Host(host, capacity: r.Next(4) == 0 ? r.Next(1, 4) : 0);
                b.Manifest("shop", "web", manifest);
                b.Manifest("shop", "other", TestManifests.Web(r.Next(0, 6)));
                for (var i = 1; i <= manifest.Scale; i++)
                {
                    if (r.Next(3) == 0)
                        b.Claim("shop", "web", i, hosts[r.Next(hosts.Count)]);
                }

                for (var i = 1; i <= 5; i++)
                {
                    if (r.Next(2) == 0)
                        b.Claim("shop", "other", i, hosts[r.Next(hosts.Count)]);
                }

                return b;
            }

            var lazy = PlacementPlanner.Plan(Build().State, Web, manifest);
            var full = PlacementPlanner.Plan(Build().State, Web, manifest);
            Assert.Equal(full.Count, lazy.Count);
            for (var p = 0; p < lazy.Count; p++)
            {
                var ranking = full[p].RankedHosts;
                Assert.Equal(ranking.Count > 0 ? ranking[0] : null, lazy[p].Best);
                foreach (var host in hosts)
                {
                    var expected = ranking.ToList().IndexOf(host);
                    Assert.True(expected == lazy[p].RankOf(host), $"seed {seed}, {lazy[p].Id}, {host}: rank {lazy[p].RankOf(host)}, ranking {string.Join(",", ranking)}");
                    Assert.Equal(expected < 0 ? -1 : Math.Min(expected, 2), lazy[p].RankOf(host, 2));
                }
            }
        }
    }
}
