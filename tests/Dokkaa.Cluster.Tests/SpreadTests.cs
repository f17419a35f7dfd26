using Dokkaa.Cluster.Tests.Support;
using Dokkaa.Core.Placement;
using Xunit;
using Xunit.Abstractions;

namespace Dokkaa.Cluster.Tests;

/// <summary>
/// Placement on three real hosts: a manifest's instances differ by at most one between hosts, no central
/// scheduler; drain empties a host and rebalance restores the spread after it is back.
/// </summary>
public sealed class SpreadTests : IClassFixture<FastCluster>
{
    private static readonly TimeSpan Converge = TimeSpan.FromSeconds(60);
    private readonly FastCluster _cluster;
    private readonly ClusterProbe _probe;
    private readonly ITestOutputHelper _output;

    public SpreadTests(FastCluster cluster, ITestOutputHelper output)
    {
        _cluster = cluster;
        _probe = new ClusterProbe(cluster);
        _output = output;
    }

    [Fact]
    public Task Scale_7_spreads_3_2_2_and_scale_3_spreads_1_1_1() => _cluster.GuardAsync(_output, "spread", async () =>
    {
        const string app = "spread";
        var hosts = _cluster.HostNames;
        await _cluster.Ops.SetManifestJsonAsync(app, "web", Manifests.Web(7));
        var (seven, took7) = await _probe.WaitConvergedAsync(app, "web", 7, hosts, Converge);
        var perHost7 = seven.RunningPerHost(hosts);
        _output.WriteLine($"scale 7: {Figures.PerHost(perHost7)} (running containers per host), converged in {Figures.Seconds(took7)}");
        Assert.Equal(new[] { 3, 2, 2 }, perHost7.Values.OrderDescending());
        // The claims say the same as the daemons.
        Assert.Equal(perHost7, hosts.ToDictionary(h => h, h => seven.Claims.Count(c => c.Record.Host == h)));

        await _cluster.Ops.ScaleAsync(app, "web", 3);
        var (three, took3) = await _probe.WaitConvergedAsync(app, "web", 3, hosts, Converge, noLeftovers: true);
        var perHost3 = three.RunningPerHost(hosts);
        _output.WriteLine($"scale 3: {Figures.PerHost(perHost3)}, converged in {Figures.Seconds(took3)}");
        Assert.Equal(new[] { 1, 1, 1 }, perHost3.Values);

        // And a fresh manifest of scale 3 lands 1/1/1 as well.
        await _cluster.Ops.SetManifestJsonAsync(app, "fresh", Manifests.Web(3));
        var (fresh, _) = await _probe.WaitConvergedAsync(app, "fresh", 3, hosts, Converge);
        _output.WriteLine($"fresh scale 3: {Figures.PerHost(fresh.RunningPerHost(hosts))}");
        Assert.Equal(new[] { 1, 1, 1 }, fresh.RunningPerHost(hosts).Values);
    });

    [Fact]
    public Task Drain_moves_every_instance_off_a_host_and_rebalance_after_undrain_restores_the_spread() => _cluster.GuardAsync(_output, "moves", async () =>
    {
        const string app = "moves";
        var hosts = _cluster.HostNames;
        await _cluster.Ops.SetManifestJsonAsync(app, "web", Manifests.Web(6));
        await _cluster.Ops.SetManifestJsonAsync(app, "api", Manifests.Web(3));
        var (web, _) = await _probe.WaitConvergedAsync(app, "web", 6, hosts, Converge);
        var (api, _) = await _probe.WaitConvergedAsync(app, "api", 3, hosts, Converge);
        _output.WriteLine($"before drain: web {Figures.PerHost(web.RunningPerHost(hosts))}, api {Figures.PerHost(api.RunningPerHost(hosts))}");
        Assert.Equal(new[] { 2, 2, 2 }, web.RunningPerHost(hosts).Values);
        Assert.Equal(new[] { 1, 1, 1 }, api.RunningPerHost(hosts).Values);

        try
        {
            var stopwatch = System.Diagnostics.Stopwatch.StartNew();
            await _cluster.DokkaaAsync(_output, "drain", "h1", "--timeout", "60s");
            _output.WriteLine($"drain h1 took {Figures.Seconds(stopwatch.Elapsed)}");
            var drainedWeb = await _probe.CensusAsync(app, "web", 6, hosts, noLeftovers: true);
            var drainedApi = await _probe.CensusAsync(app, "api", 3, hosts, noLeftovers: true);
            _output.WriteLine($"after drain: web {Figures.PerHost(drainedWeb.RunningPerHost(hosts))}, api {Figures.PerHost(drainedApi.RunningPerHost(hosts))}");
            Assert.True(drainedWeb.Converged, drainedWeb.ToString());
            Assert.True(drainedApi.Converged, drainedApi.ToString());
            Assert.Equal(0, drainedWeb.RunningPerHost(hosts)["h1"]);
            Assert.Equal(0, drainedApi.RunningPerHost(hosts)["h1"]);
            Assert.Empty(await _probe.ContainersAsync(new[] { "h1" }, app));
            Assert.Equal(new[] { 3, 3 }, drainedWeb.RunningPerHost(new[] { "h2", "h3" }).Values);
            var h1 = (await _cluster.Ops.GetHostsAsync("h1")).Single();
            Assert.True(h1.Draining);

            // Back in service: nothing moves by itself, rebalance moves the fewest instances needed.
            await _cluster.DokkaaAsync(_output, "undrain", "h1");
            var plan = await _cluster.Ops.PlanRebalanceAsync();
            var ours = plan.Where(m => m.Id.App == app).ToList();
            _output.WriteLine($"rebalance plan: {string.Join(", ", ours.Select(m => $"{m.Id} off {m.FromHost}"))}");
            Assert.Equal(3, ours.Count); // web 0/3/3 -> 2/2/2 is two moves, api 0/2/1 -> 1/1/1 is one.
            stopwatch.Restart();
            await _cluster.DokkaaAsync(_output, "rebalance", "--timeout", "60s");
            _output.WriteLine($"rebalance took {Figures.Seconds(stopwatch.Elapsed)}");
            var (rebalancedWeb, _) = await _probe.WaitConvergedAsync(app, "web", 6, hosts, Converge, noLeftovers: true);
            var (rebalancedApi, _) = await _probe.WaitConvergedAsync(app, "api", 3, hosts, Converge, noLeftovers: true);
            _output.WriteLine($"after rebalance: web {Figures.PerHost(rebalancedWeb.RunningPerHost(hosts))}, api {Figures.PerHost(rebalancedApi.RunningPerHost(hosts))}");
            foreach (var census in new[] { rebalancedWeb, rebalancedApi })
            {
                var counts = census.RunningPerHost(hosts).Values.ToList();
                Assert.True(counts.Max() - counts.Min() <= 1, census.ToString());
            }

            Assert.DoesNotContain(RebalancePlanner.Plan(await _cluster.Ops.LoadStateAsync()), m => m.Id.App == app);
        }
        finally
        {
            await _cluster.Ops.UndrainAsync("h1");
        }
    });
}
