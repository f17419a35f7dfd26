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
}
