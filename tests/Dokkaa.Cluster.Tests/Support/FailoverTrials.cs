using System.Diagnostics;
using Xunit;
using Xunit.Abstractions;

namespace Dokkaa.Cluster.Tests.Support;

/// <summary>The kill/restart cycle shared by the 2 s and the default-TTL failover tests.</summary>
public static class FailoverTrials
{
    /// <summary>DOKKAA_FAILOVER_TRIALS if set, else <paramref name="defaultCount"/>.</summary>
    public static int Count(int defaultCount) =>
        int.TryParse(Environment.GetEnvironmentVariable("DOKKAA_FAILOVER_TRIALS"), out var n) && n > 0 ? n : defaultCount;

    /// <summary>
    /// Kills h1, h2, h3, h1 ... in turn. Each trial: kill, time until exactly <paramref name="scale"/> instances
    /// run on the live hosts (claims and real containers agree, no instance twice), restart the host, wait until it
    /// is registered and its stale copies are gone, and check exactly <paramref name="scale"/> again.
    /// </summary>
    public static async Task<IReadOnlyList<FailoverTrial>> RunAsync(ClusterFixture cluster, ClusterProbe probe, ITestOutputHelper output, string app, string name, int scale, int trials)
    {
        var hosts = cluster.HostNames;
        var results = new List<FailoverTrial>();
        for (var trial = 1; trial <= trials; trial++)
        {
            var victim = hosts[(trial - 1) % hosts.Count];
            var live = hosts.Where(h => h != victim).ToList();
            var before = await probe.CensusAsync(app, name, scale, hosts);
            Assert.True(before.Converged, before.ToString());
            var moving = before.RunningPerHost(hosts)[victim];

            var kill = Stopwatch.StartNew();
            await cluster.DevAsync(null, "kill", victim);
            var killCommand = kill.Elapsed;
            // Timed from the moment kill returned (its processes are dead by then), polling every 50 ms.
            var (after, took) = await probe.WaitConvergedAsync(app, name, scale, live, TimeSpan.FromSeconds(60), interval: TimeSpan.FromMilliseconds(50));
            results.Add(new FailoverTrial(took, moving));

            var restart = Stopwatch.StartNew();
            await cluster.DevAsync(null, "restart", victim);
            await cluster.WaitAllRegisteredAsync();
            var (back, _) = await probe.WaitConvergedAsync(app, name, scale, hosts, TimeSpan.FromSeconds(60), noLeftovers: true);
            output.WriteLine($"trial {trial}: kill {victim} ({moving} instances, kill command {Figures.Seconds(killCommand)}) -> all {scale} running again after {Figures.Seconds(took)} " +
                             $"({Figures.PerHost(after.RunningPerHost(live))}); restarted and clean after {Figures.Seconds(restart.Elapsed)} ({Figures.PerHost(back.RunningPerHost(hosts))})");
        }

        return results;
    }
}
