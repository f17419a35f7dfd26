using Dokkaa.Cluster.Tests.Support;
using Dokkaa.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Dokkaa.Cluster.Tests;

/// <summary>
/// The cluster with the default lease TTL (10 s): an agent restart (not its containers) restarts no container,
/// and failover takes about one TTL.
/// </summary>
public sealed class DefaultTtlTests : IClassFixture<DefaultTtlCluster>
{
    private static readonly TimeSpan Converge = TimeSpan.FromSeconds(60);
    private const int Rounds = 3;
    private readonly DefaultTtlCluster _cluster;
    private readonly ClusterProbe _probe;
    private readonly ITestOutputHelper _output;

    public DefaultTtlTests(DefaultTtlCluster cluster, ITestOutputHelper output)
    {
        _cluster = cluster;
        _probe = new ClusterProbe(cluster);
        _output = output;
    }

    /// <summary>
    /// With the default TTL, because an agent must be back before its lease expires to keep its claims: with 2 s
    /// the restart (kill, a new process, .NET start-up, etcd and Docker connections) takes about as long as the
    /// lease has left, and when it loses the race the instances move (correctly, but that is a restart).
    /// </summary>
    [Fact]
    public Task Restarting_an_agent_restarts_no_container() => _cluster.GuardAsync(_output, "agent", async () =>
    {
        const string app = "agent";
        const int scale = 6;
        var hosts = _cluster.HostNames;
        await _cluster.Ops.SetManifestJsonAsync(app, "web", Manifests.Web(scale));
        for (var round = 1; ; round++)
        {
            var (before, _) = await _probe.WaitConvergedAsync(app, "web", scale, hosts, Converge, noLeftovers: true);
            const string host = "h2";
            var startedBefore = await _probe.StartTimesAsync(host);
            var claimsBefore = before.Claims.ToDictionary(c => c.Id, c => (c.CreateRevision, c.Record.ContainerId, c.Record.Host));
            var agentBefore = _cluster.State.Host(host).AgentPid;
            Assert.NotEmpty(startedBefore);

            // The test is about an agent back within its lease. On a loaded machine the kill and restart (two CLI
            // processes, the agent's start-up) can outlast the 10 s TTL: the instances then move, as they should, and the
            // round says nothing about adoption, so it is tried again.
            var stopwatch = System.Diagnostics.Stopwatch.StartNew();
            await _cluster.DevAsync(_output, "kill", host, "--agent-only");
            await _cluster.DevAsync(_output, "restart", host);
            Assert.NotEqual(agentBefore, _cluster.State.Host(host).AgentPid);
            var oldLease = before.Claims.First(c => c.Record.Host == host).Lease;
            if (await _cluster.Etcd.LeaseTimeToLiveAsync(oldLease) is null)
            {
                _output.WriteLine($"round {round}: {host} came back {Figures.Seconds(stopwatch.Elapsed)} after the kill, after its lease expired; again");
                Assert.True(round < Rounds, $"in {Rounds} rounds the agent never came back within its lease");
                // A restarted host gets nothing back by itself: 6 -> 0 -> 6 spreads the instances over all three again.
                await _cluster.Ops.ScaleAsync(app, "web", 0);
                await _probe.WaitConvergedAsync(app, "web", 0, hosts, Converge, noLeftovers: true);
                await _cluster.Ops.ScaleAsync(app, "web", scale);
                continue;
            }

            // The new agent registers under a new lease and moves its claims onto it.
            var reattached = await Poll.UntilAsync(async () =>
            {
                var state = await _cluster.Ops.LoadStateAsync();
                var lease = state.Hosts.TryGetValue(host, out var entry) ? entry.Lease : 0;
                var mine = state.Instances.Values.Where(c => c.Id.App == app && c.Record.Host == host).ToList();
                return (Lease: lease, Claims: mine);
            }, r => r.Lease != 0 && r.Claims.Count > 0 && r.Claims.All(c => c.Lease == r.Lease), $"{host}'s claims to be on its new lease", TimeSpan.FromSeconds(30));
            var took = stopwatch.Elapsed;

            var startedAfter = await _probe.StartTimesAsync(host);
            var (after, _) = await _probe.WaitConvergedAsync(app, "web", scale, hosts, Converge, noLeftovers: true);
            _output.WriteLine($"agent of {host} killed and restarted; its {reattached.Claims.Count} claims on the new lease {Figures.Seconds(took)} after the kill");
            foreach (var (id, (name, started, running)) in startedBefore)
            {
                var now = startedAfter.TryGetValue(id, out var a) ? $"started {a.StartedAt:HH:mm:ss.fff}, running {a.Running}" : "gone";
                _output.WriteLine($"  {name} {id[..12]}: started {started:HH:mm:ss.fff} -> {now}");
            }

            // Same containers, not restarted (same id, same start time, still running), and the same claims (not re-created).
            Assert.Equal(startedBefore, startedAfter);
            Assert.All(startedAfter.Values, c => Assert.True(c.Running, c.Name));
            Assert.Equal(claimsBefore, after.Claims.ToDictionary(c => c.Id, c => (c.CreateRevision, c.Record.ContainerId, c.Record.Host)));
            return;
        }
    });

    /// <summary>Kill/restart cycles with the default TTL (10 by default, about 15 s each; DOKKAA_FAILOVER_TRIALS to change).</summary>
    [Fact]
    public Task Failover_with_the_default_ttl_waits_for_the_lease_and_converges() => _cluster.GuardAsync(_output, "failover", async () =>
    {
        const string app = "failover";
        const int scale = 6;
        var hosts = _cluster.HostNames;
        await _cluster.Ops.SetManifestJsonAsync(app, "web", Manifests.Web(scale));
        await _probe.WaitConvergedAsync(app, "web", scale, hosts, Converge);

        var times = (await FailoverTrials.RunAsync(_cluster, _probe, _output, app, "web", scale, FailoverTrials.Count(10))).Select(t => t.Took).ToList();
        _output.WriteLine($"failover with lease ttl {_cluster.LeaseTtl}: {Figures.Summary(times)}");
        // Not before the lease could have expired: the dead host's last keepalive was at most a third of the TTL before the kill.
        Assert.All(times, t => Assert.True(t > _cluster.Ttl * 2 / 3 - TimeSpan.FromSeconds(1), $"failover after only {Figures.Seconds(t)}"));
    });
}
