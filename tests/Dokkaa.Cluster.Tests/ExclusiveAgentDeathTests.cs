using Dokkaa.Cluster.Tests.Support;
using Dokkaa.Dev;
using Dokkaa.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Dokkaa.Cluster.Tests;

/// <summary>
/// The agent that owns an exclusive instance dies (kill -9) or is paused (SIGSTOP) while its dockerd and the
/// container keep running: its lease stops being renewed, another host takes the instance over about one TTL later,
/// and the dead agent can no longer stop its copy. The fence process (which does not live in the agent) must have
/// stopped it before that, so the instance never runs twice.
/// </summary>
public sealed class ExclusiveAgentDeathTests : IClassFixture<FastCluster>
{
    private static readonly TimeSpan Converge = TimeSpan.FromSeconds(60);
    private readonly FastCluster _cluster;
    private readonly ClusterProbe _probe;
    private readonly ITestOutputHelper _output;

    public ExclusiveAgentDeathTests(FastCluster cluster, ITestOutputHelper output)
    {
        _cluster = cluster;
        _probe = new ClusterProbe(cluster);
        _output = output;
    }

    [Fact]
    public Task Exclusive_instance_never_runs_twice_when_its_agent_is_killed() => _cluster.GuardAsync(_output, "exkill", async () =>
    {
        await RunAsync("exkill", "h2", "kill -9 of the agent", async victim =>
        {
            await _cluster.DevAsync(_output, "kill", victim, "--agent-only");
            return async () =>
            {
                await _cluster.DevAsync(_output, "restart", victim);
                await _cluster.WaitAllRegisteredAsync();
            };
        });
    });

    [Fact]
    public Task Exclusive_instance_never_runs_twice_when_its_agent_is_paused() => _cluster.GuardAsync(_output, "expause", async () =>
    {
        var resumed = false;
        var agentPid = 0;
        try
        {
            await RunAsync("expause", "h3", "SIGSTOP of the agent", async victim =>
            {
                agentPid = _cluster.State.Host(victim).AgentPid;
                await ProcessTable.SignalAsync(new[] { agentPid }, "STOP");
                return async () =>
                {
                    await ProcessTable.SignalAsync(new[] { agentPid }, "CONT");
                    resumed = true;
                    // Paused for longer than the TTL, it finds its lease gone and registers again.
                    await _cluster.WaitAllRegisteredAsync();
                };
            });
        }
        finally
        {
            if (!resumed && agentPid > 0)
                await ProcessTable.SignalAsync(new[] { agentPid }, "CONT");
        }
    });

    /// <summary>
    /// An ordinary restart (SIGTERM, a new agent) that takes longer than half the TTL: the fence process stops the
    /// exclusive copy meanwhile (it cannot tell a slow restart from a dead agent), and the new agent starts it again,
    /// as planned rather than as a crash; at no moment does the instance run twice.
    /// </summary>
    [Fact]
    public Task Exclusive_instance_survives_an_agent_restart_without_running_twice() => _cluster.GuardAsync(_output, "exrestart", async () =>
    {
        const string app = "exrestart";
        const string victim = "h1";
        const int scale = 3;
        var hosts = _cluster.HostNames;
        await _cluster.Ops.SetManifestJsonAsync(app, "web", Manifests.Web(scale, exclusive: true));
        await _probe.WaitConvergedAsync(app, "web", scale, hosts, Converge);
        var copy = (await _probe.ContainersAsync(new[] { victim }, app)).Single(c => c.Running);
        await using var sampler = new DoubleRunSampler(_probe, hosts, app, victim, copy.Instance);

        var restartAt = sampler.Elapsed;
        await _cluster.DevAsync(_output, "restart", victim);
        await _cluster.WaitAllRegisteredAsync();
        var (back, tookBack) = await _probe.WaitConvergedAsync(app, "web", scale, hosts, Converge, noLeftovers: true);
        await Poll.UntilAsync(() => Task.FromResult(sampler.Elapsed - restartAt), t => t > tookBack + TimeSpan.FromSeconds(2), "two more seconds of samples", TimeSpan.FromSeconds(30));
        await sampler.StopAsync();

        var claim = back.Claims.Single(c => c.Id == copy.Instance);
        _output.WriteLine($"exclusive, restart of the agent on {victim} (lease ttl {_cluster.LeaseTtl}): exactly {scale} running {Figures.Seconds(tookBack)} after the restart command began " +
                          $"({Figures.PerHost(back.RunningPerHost(hosts))}); instance {copy.Instance.Instance} {(sampler.VictimStoppedAfter(restartAt) ? "was stopped by the fence meanwhile" : "ran throughout")}, " +
                          $"now on {claim.Record.Host} with {claim.Record.Restarts} restarts counted, error: {claim.Record.Error ?? "none"}");
        sampler.AssertNeverTwice(_output);
        Assert.Null(claim.Record.Error);
        Assert.Equal(0, claim.Record.Restarts);
    });

    /// <summary>
    /// Exclusive web of scale 3 on 3 hosts; <paramref name="fail"/> takes the victim's agent away (its daemon and
    /// container stay) and returns how to bring it back. The others must take the instance over, only after the
    /// victim's copy stopped; two TTLs later the agent comes back and exactly 3 run, never one twice.
    /// </summary>
    private async Task RunAsync(string app, string victim, string failure, Func<string, Task<Func<Task>>> fail)
    {
        const int scale = 3;
        var hosts = _cluster.HostNames;
        var others = hosts.Where(h => h != victim).ToList();
        await _cluster.Ops.SetManifestJsonAsync(app, "web", Manifests.Web(scale, exclusive: true));
        await _probe.WaitConvergedAsync(app, "web", scale, hosts, Converge);
        var copy = (await _probe.ContainersAsync(new[] { victim }, app)).Single(c => c.Running);
        await using var sampler = new DoubleRunSampler(_probe, hosts, app, victim, copy.Instance);

        var bringBack = await fail(victim);
        var failedAt = sampler.Elapsed;
        var (takenOver, tookOver) = await _probe.WaitConvergedAsync(app, "web", scale, others, Converge);
        await Poll.UntilAsync(() => Task.FromResult(sampler.Elapsed - failedAt), t => t > _cluster.Ttl * 2, "the agent to be away for two TTLs", TimeSpan.FromSeconds(30));

        var backAt = sampler.Elapsed;
        await bringBack();
        var (back, tookBack) = await _probe.WaitConvergedAsync(app, "web", scale, hosts, Converge, noLeftovers: true);
        await Poll.UntilAsync(() => Task.FromResult(sampler.Elapsed - backAt), t => t > tookBack + TimeSpan.FromSeconds(2), "two more seconds of samples", TimeSpan.FromSeconds(30));
        await sampler.StopAsync();

        _output.WriteLine($"exclusive, {failure} on {victim} (lease ttl {_cluster.LeaseTtl}): instances running on {string.Join(", ", others)} {Figures.Seconds(tookOver)} after it " +
                          $"({Figures.PerHost(takenOver.RunningPerHost(others))}); agent back: exactly {scale} running after {Figures.Seconds(tookBack)} ({Figures.PerHost(back.RunningPerHost(hosts))})");
        sampler.Report(_output, failedAt, $"{failure} on {victim}");
    }
}
