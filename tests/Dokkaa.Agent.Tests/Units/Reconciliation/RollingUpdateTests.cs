using Dokkaa.Core.Cluster;
using Xunit;

namespace Dokkaa.Agent.Tests.Units.Reconciliation;

/// <summary>A changed manifest replaces running instances one at a time; a replacement that fails stops the rollout and the old containers keep serving.</summary>
public sealed class RollingUpdateTests
{
    private static readonly ManifestId Web = new("shop", "web");

    [Fact]
    public async Task A_changed_manifest_replaces_every_instance_beside_its_old_container_and_leaves_no_lock()
    {
        await using var cluster = new TestAgents();
        var agent = await cluster.StartRunningAsync("h1", "shop", "web", TestAgents.Manifest(scale: 2, env: "v1"));
        var old = agent.Docker.Containers.Select(c => c.Id).ToHashSet();

        await cluster.PutManifestAsync("shop", "web", TestAgents.Manifest(scale: 2, env: "v2"));
        await agent.CatchUpAsync();
        var hash = agent.View.Current.Manifests[Web].Hash!;

        // One replacement at a time holds the lock; one that finds it taken waits for the next pass.
        for (var pass = 0; pass < 3 && agent.Docker.Containers.Any(c => c.Spec.Labels[ContainerNames.ManifestHashLabel] != hash); pass++)
            await agent.PassAsync();

        Assert.All(agent.Docker.Containers, c => Assert.Equal(hash, c.Spec.Labels[ContainerNames.ManifestHashLabel]));
        Assert.Equal(new[] { "shop---web", "shop---web---2" }, agent.Docker.Containers.Select(c => c.Name).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(agent.Docker.Containers, c => old.Contains(c.Id));
        Assert.All(agent.View.Current.ClaimsOf(Web), c => Assert.Equal((InstanceState.Running, hash), (c.Record.State, c.Record.ManifestHash)));
        Assert.False(agent.View.Current.Rollouts.ContainsKey(Web));
    }

    [Fact]
    public async Task A_replacement_that_exits_marks_the_rollout_failed_and_the_old_containers_keep_serving()
    {
        await using var cluster = new TestAgents();
        var agent = await cluster.StartRunningAsync("h1", "shop", "web", TestAgents.Manifest(scale: 2, env: "v1"));
        var old = agent.Docker.Containers.Select(c => c.Id).Order(StringComparer.Ordinal).ToList();

        await cluster.PutManifestAsync("shop", "web", TestAgents.Manifest(scale: 2, env: "broken"));
        await agent.CatchUpAsync();
        var hash = agent.View.Current.Manifests[Web].Hash!;
        agent.Docker.ExitOnStart(spec => spec.Labels[ContainerNames.ManifestHashLabel] == hash ? 1 : null);
        await agent.PassAsync();

        var rollout = agent.View.Current.Rollouts[Web].Record;
        Assert.True(rollout.Failed);
        Assert.Equal(hash, rollout.ManifestHash);
        Assert.Equal(old, agent.Docker.Containers.Select(c => c.Id).Order(StringComparer.Ordinal));
        Assert.All(agent.Docker.Containers, c => Assert.True(c.Running));
        var failed = agent.View.Current.Claim(new InstanceId("shop", "web", rollout.Instance))!;
        Assert.StartsWith($"rolling update to manifest {hash} failed on instance {rollout.Instance}: the new container exited with code 1", failed.Record.Error, StringComparison.Ordinal);

        // The failed version is not tried again on any instance.
        var creates = agent.Docker.Calls.Count(c => c.StartsWith("create", StringComparison.Ordinal));
        await agent.PassAsync();
        await agent.PassAsync();
        Assert.Equal(creates, agent.Docker.Calls.Count(c => c.StartsWith("create", StringComparison.Ordinal)));
        Assert.Equal(old, agent.Docker.Containers.Select(c => c.Id).Order(StringComparer.Ordinal));
    }
}
