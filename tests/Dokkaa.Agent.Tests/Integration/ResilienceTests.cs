using Dokkaa.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Dokkaa.Agent.Tests.Integration;

/// <summary>The agent's dependencies go away under it: etcd restarts, Docker restarts.</summary>
[Collection(AgentCollection.Name)]
public sealed class ResilienceTests : AgentTestBase, IClassFixture<EtcdFixture>
{
    public ResilienceTests(EtcdFixture etcd, ITestOutputHelper output) : base(etcd, output) { }

    [Fact]
    public async Task After_an_etcd_restart_the_agent_resumes_its_watch_and_carries_out_changes()
    {
        await Ops.SetManifestJsonAsync(App, "web", WebManifest(1));
        await WaitConvergedAsync("web");

        await Etcd.RestartAsync();
        await Ops.ScaleAsync(App, "web", 2);

        await Poll.UntilAsync(() => RunningNamesAsync("web"), n => n.Count == 2, "the scale change made after the etcd restart to be carried out");
        await WaitConvergedAsync("web");
        Assert.True(Agent.IsRunning);
    }

    [Fact]
    public async Task After_a_docker_restart_the_agent_reconnects_and_runs_everything_again()
    {
        await Ops.SetManifestJsonAsync(App, "web", WebManifest(2));
        await WaitConvergedAsync("web");

        await DockerDaemon.RestartAsync();

        await Poll.UntilAsync(() => RunningNamesAsync("web"), n => n.Count == 2, "both instances to run again after Docker came back", TimeSpan.FromSeconds(90));
        await WaitConvergedAsync("web", TimeSpan.FromSeconds(60));
        Assert.True(Agent.IsRunning);
    }

    [Fact]
    public async Task Cut_off_from_etcd_an_agent_stops_exclusive_instances_first_and_keeps_the_others_running()
    {
        await Ops.SetManifestJsonAsync(App, "web", WebManifest(1));
        await Ops.SetManifestJsonAsync(App, "lock", WebManifest(1, ""","exclusive":true""", service: "lock"));
        await WaitConvergedAsync("web");
        await WaitConvergedAsync("lock");
        var web = await Docker.InspectContainerAsync($"{App}---web");

        await Etcd.StopAsync();
        try
        {
            var cutAt = DateTimeOffset.UtcNow;
            await Poll.UntilAsync(async () => (await Docker.InspectContainerAsync($"{App}---lock"))!.Running, running => !running, "the exclusive instance to be stopped while etcd is unreachable", TimeSpan.FromSeconds(30));
            // A figure, not an assertion: the fence aims at half the lease TTL after the last confirmed renewal;
            // the no-two-copies property itself is checked on the multi-host cluster (Dokkaa.Cluster.Tests).
            Output.WriteLine($"exclusive instance stopped {(DateTimeOffset.UtcNow - cutAt).TotalSeconds:0.0}s after etcd went away (lease ttl {Agent.Options.LeaseTtl.TotalSeconds}s)");
            var stillRunning = await Docker.InspectContainerAsync($"{App}---web");
            Assert.True(stillRunning!.Running, "the non-exclusive instance keeps running through the cut");
            Assert.Equal(web!.StartedAt, stillRunning.StartedAt);
        }
        finally
        {
            // Whatever happened, the class's etcd comes back for the tests after this one.
            await Etcd.RestartAsync();
        }

        var back = DateTimeOffset.UtcNow;
        await Poll.UntilAsync(async () => (await Docker.InspectContainerAsync($"{App}---lock"))!.Running, running => running, "the exclusive instance to run again once etcd is back", TimeSpan.FromSeconds(60));
        await WaitConvergedAsync("lock");
        // Started again as planned, not restarted as a crash: no error in its claim or status, no restart counted.
        var claim = await Poll.UntilAsync(async () => (await Ops.GetContainersAsync(App, "lock")).Single(), c => c.UpdatedAt > back, "the agent to write the exclusive instance's claim after etcd came back");
        Assert.True(claim.Error is null && claim.Restarts == 0, $"the fenced instance was reported as a crash: error '{claim.Error}', restarts {claim.Restarts}");
        Assert.Empty((await StatusAsync("lock")).Errors);
    }
}
