using Dokkaa.Agent.Containers;
using Dokkaa.Agent.Reconciliation;
using Dokkaa.Core.Cluster;
using Xunit;

namespace Dokkaa.Agent.Tests.Units.Reconciliation;

/// <summary>One host's agent through an instance's life: adoption after a restart, scale down, deletion.</summary>
public sealed class LifecycleTests
{
    [Fact]
    public async Task After_a_restart_the_agent_adopts_its_running_container_without_touching_it()
    {
        await using var cluster = new TestAgents();
        var agent = await cluster.StartAsync("h1");
        await cluster.PutManifestAsync("shop", "web", TestAgents.Manifest(scale: 1));
        await agent.CatchUpAsync();
        var entry = agent.View.Current.Manifests[new ManifestId("shop", "web")];
        var id = new InstanceId("shop", "web", 1);
        // What the agent's earlier life left: its container runs on, its claim went with its old lease.
        var survivor = agent.Docker.Add(ContainerSpecFactory.Create(id, entry.Effective!, entry.Hash!, "h1", Array.Empty<LinkBinding>(), cluster.Options.ContainerDefaults));

        await agent.PassAsync();

        var claim = agent.Claim("shop", "web", 1);
        Assert.Equal(("h1", InstanceState.Running, survivor.Id, entry.Hash), (claim?.Record.Host, claim?.Record.State, claim?.Record.ContainerId, claim?.Record.ManifestHash));
        Assert.Equal(1, survivor.Starts);
        Assert.DoesNotContain(agent.Docker.Calls, c => c.StartsWith("create", StringComparison.Ordinal) || c.StartsWith("start", StringComparison.Ordinal) || c.StartsWith("stop", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Scaling_down_stops_the_highest_instances_and_releases_their_claims()
    {
        await using var cluster = new TestAgents();
        var agent = await cluster.StartRunningAsync("h1", "shop", "web", TestAgents.Manifest(scale: 3));
        var first = agent.Container("shop", "web", 1)!;
        Assert.Equal(3, agent.Docker.Containers.Count(c => c.Running));

        await cluster.PutManifestAsync("shop", "web", TestAgents.Manifest(scale: 1));
        await agent.PassAsync();

        Assert.Equal(new[] { first.Id }, agent.Docker.Containers.Select(c => c.Id));
        Assert.True(first.Running);
        Assert.Equal(1, first.Starts);
        Assert.Equal(new[] { 1 }, agent.View.Current.ClaimsOf(new ManifestId("shop", "web")).Select(c => c.Id.Instance));
    }

    [Fact]
    public async Task A_deleted_manifest_takes_its_containers_claims_and_then_its_status_with_it()
    {
        await using var cluster = new TestAgents();
        var agent = await cluster.StartRunningAsync("h1", "shop", "web", TestAgents.Manifest(scale: 2));
        Assert.Equal(2, agent.Docker.Containers.Count(c => c.Running));
        Assert.True(agent.View.Current.Statuses.ContainsKey(new ManifestId("shop", "web")));

        await cluster.DeleteManifestAsync("shop", "web");
        await agent.PassAsync();
        Assert.Empty(agent.Docker.Containers);
        Assert.Empty(agent.View.Current.ClaimsOf(new ManifestId("shop", "web")));

        // The status goes once no claim is left to describe.
        await agent.PassAsync();
        Assert.False(agent.View.Current.Statuses.ContainsKey(new ManifestId("shop", "web")));
    }

    [Fact]
    public async Task A_crashing_container_is_restarted_with_growing_backoff_and_the_claim_says_why()
    {
        await using var cluster = new TestAgents();
        var agent = await cluster.StartRunningAsync("h1", "shop", "web", TestAgents.Manifest(scale: 1));
        var container = agent.Container("shop", "web", 1)!;

        agent.Docker.Exit(container.Name, 3);
        await agent.PassAsync();
        Assert.Equal(2, container.Starts);
        Assert.Equal(1, agent.Claim("shop", "web", 1)?.Record.Restarts);
        Assert.StartsWith("container exited with code 3", agent.Claim("shop", "web", 1)?.Record.Error, StringComparison.Ordinal);

        // It dies again at once: the next attempt is a second away, and the pass sleeps exactly that long.
        agent.Docker.Exit(container.Name, 3);
        Assert.Equal(RestartBackoff.First, await agent.PassAsync());
        Assert.Equal(2, container.Starts);

        cluster.Clock.Advance(RestartBackoff.First);
        await agent.PassAsync();
        Assert.Equal(3, container.Starts);
        Assert.Equal(2, agent.Claim("shop", "web", 1)?.Record.Restarts);
        Assert.EndsWith("(restarted 2 times)", agent.Claim("shop", "web", 1)?.Record.Error, StringComparison.Ordinal);

        // The third failure waits twice as long.
        agent.Docker.Exit(container.Name, 3);
        Assert.Equal(RestartBackoff.First * 2, await agent.PassAsync());
        Assert.Equal(3, container.Starts);
    }

    [Fact]
    public async Task An_image_that_cannot_be_pulled_fails_the_instance_in_its_claim_and_is_retried_after_the_backoff()
    {
        await using var cluster = new TestAgents();
        var agent = await cluster.StartRunningAsync("h1", "shop", "web", TestAgents.Manifest(scale: 1).Replace(TestAgents.Image, "shop/missing:1", StringComparison.Ordinal));

        var claim = agent.Claim("shop", "web", 1);
        Assert.Equal(InstanceState.Failed, claim?.Record.State);
        Assert.Contains("image shop/missing:1 is not on host h1 and could not be pulled", claim?.Record.Error, StringComparison.Ordinal);
        Assert.Equal(RestartBackoff.First, await agent.PassAsync());

        agent.Docker.Pullable.Add("shop/missing:1");
        cluster.Clock.Advance(RestartBackoff.First);
        await agent.PassAsync();
        Assert.True(agent.Container("shop", "web", 1)?.Running);
        Assert.Equal(InstanceState.Running, agent.Claim("shop", "web", 1)?.Record.State);
    }
}
