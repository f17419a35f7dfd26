using Dokkaa.Core.Cluster;
using Dokkaa.Core.Manifests;
using Dokkaa.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Dokkaa.Agent.Tests.Integration;

/// <summary>Scale, delete, restart, update and adoption on one real host.</summary>
[Collection(AgentCollection.Name)]
public sealed class LifecycleTests : AgentTestBase, IClassFixture<EtcdFixture>
{
    public LifecycleTests(EtcdFixture etcd, ITestOutputHelper output) : base(etcd, output) { }

    [Fact]
    public async Task Scale_up_starts_numbered_instances_and_scale_down_stops_the_highest()
    {
        await Ops.SetManifestJsonAsync(App, "web", WebManifest(3));
        await WaitConvergedAsync("web");
        Assert.Equal(new[] { $"{App}---web", $"{App}---web---2", $"{App}---web---3" }, await RunningNamesAsync());

        await Ops.ScaleAsync(App, "web", 1);
        await Poll.UntilAsync(() => RunningNamesAsync(), n => n.Count == 1, "scale down to one container");
        Assert.Equal(new[] { $"{App}---web" }, await RunningNamesAsync());
        await Poll.UntilAsync(async () => (await Ops.GetContainersAsync(App, "web")).Count, c => c == 1, "claims 2 and 3 to be deleted");
        await WaitConvergedAsync("web");

        // Scale 0 keeps the manifest and runs nothing.
        await Ops.ScaleAsync(App, "web", 0);
        await Poll.UntilAsync(async () => (await ContainersAsync()).Count, c => c == 0, "every container to be removed at scale 0");
        Assert.Single(await Ops.GetManifestsAsync(App, "web"));
    }

    [Fact]
    public async Task Deleting_a_manifest_stops_and_removes_every_instance_and_deletes_claims_and_status()
    {
        await Ops.SetManifestJsonAsync(App, "web", WebManifest(2));
        await WaitConvergedAsync("web");

        await Ops.RemoveManifestAsync(App, "web");

        await Poll.UntilAsync(async () => (await ContainersAsync()).Count, c => c == 0, "every container of the deleted manifest to be removed");
        await Poll.UntilAsync(async () => (await Client.RangeAsync(KeyLayout.InstancesOf(App, "web"), prefix: true)).Kvs.Count, c => c == 0, "claims to be deleted");
        await Poll.UntilAsync(async () => (await Client.RangeAsync(KeyLayout.Status(App, "web"))).Kvs.Count, c => c == 0, "status to be deleted");
    }

    [Fact]
    public async Task A_container_that_exits_is_restarted()
    {
        await Ops.SetManifestJsonAsync(App, "web", WebManifest(1));
        await WaitConvergedAsync("web");
        var before = await Docker.InspectContainerAsync($"{App}---web");

        await ProcessRunner.RunAsync("docker", "kill", $"{App}---web");

        var after = await Poll.UntilAsync(
            () => Docker.InspectContainerAsync($"{App}---web"),
            d => d is { Running: true } && d.StartedAt > before!.StartedAt,
            "the killed container to be started again");
        Assert.Equal(before!.Id, after!.Id);
        var claim = await Poll.UntilAsync(async () => (await Ops.GetContainersAsync(App, "web")).Single(), c => c.Restarts >= 1 && c.State == InstanceState.Running, "the claim to count the restart");
        Assert.Equal(after.Id, claim.ContainerId);
    }

    [Fact]
    public async Task A_changed_manifest_replaces_instances_one_at_a_time_and_keeps_the_names()
    {
        await Ops.SetManifestJsonAsync(App, "web", WebManifest(2));
        await WaitConvergedAsync("web");
        var oldIds = (await ContainersAsync()).Select(c => c.Id).ToHashSet();

        var changed = ManifestParser.Parse(WebManifest(2, ""","env":{"VERSION":"2"}"""));
        var newHash = ManifestSerializer.ContainerHash(changed);
        await Ops.SetManifestAsync(App, "web", changed);

        // Sample while it rolls: never fewer than scale-1 = 1 running containers of the manifest.
        var minRunning = int.MaxValue;
        await Poll.UntilAsync(async () =>
        {
            var containers = await ContainersAsync();
            var running = containers.Where(c => c.State == "running").ToList();
            minRunning = Math.Min(minRunning, running.Count);
            return running.Count == 2 && containers.Count == 2 &&
                   running.All(c => c.Labels[ContainerNames.ManifestHashLabel] == newHash && !oldIds.Contains(c.Id));
        }, "both instances to run the new manifest");

        Assert.True(minRunning >= 1, $"at least one instance kept serving during the update (min seen {minRunning})");
        Assert.Equal(new[] { $"{App}---web", $"{App}---web---2" }, await RunningNamesAsync());
        var env = (await ProcessRunner.RunAsync("docker", "exec", $"{App}---web---2", "env")).StdOut;
        Assert.Contains("VERSION=2", env, StringComparison.Ordinal);
        await WaitConvergedAsync("web");
    }

    [Fact]
    public async Task An_update_whose_new_container_fails_stops_there_and_the_old_instances_keep_serving()
    {
        await Ops.SetManifestJsonAsync(App, "web", WebManifest(2));
        await WaitConvergedAsync("web");
        var oldIds = (await ContainersAsync()).Select(c => c.Id).OrderBy(i => i).ToList();

        await Ops.SetManifestJsonAsync(App, "web", $$"""{"image":"{{TestImage}}","scale":2,"services":{"web":80},"command":["sh","-c","exit 7"]}""");

        var status = await WaitForErrorAsync("web", "rolling update");
        Assert.Contains(status.Errors, e => e.Contains("exited with code 7", StringComparison.Ordinal));
        var running = (await ContainersAsync()).Where(c => c.State == "running").Select(c => c.Id).OrderBy(i => i).ToList();
        Assert.Equal(oldIds, running);
    }

    [Fact]
    public async Task A_restarted_agent_adopts_its_containers_without_restarting_them()
    {
        await Ops.SetManifestJsonAsync(App, "web", WebManifest(2));
        await WaitConvergedAsync("web");
        var before = new Dictionary<string, DateTimeOffset?>();
        foreach (var c in await ContainersAsync())
            before[c.Id] = (await Docker.InspectContainerAsync(c.Id))!.StartedAt;
        var oldLease = Agent.Host!.Membership.LeaseId;

        await Agent.StopAsync();
        await Agent.StartAsync();
        var newLease = Agent.Host!.Membership.LeaseId;
        Assert.NotEqual(oldLease, newLease);

        // Every claim moves to the new lease, and the containers are the very same, never restarted.
        await Poll.UntilAsync(async () => (await Client.RangeAsync(KeyLayout.InstancesOf(App, "web"), prefix: true)).Kvs, kvs => kvs.Count == 2 && kvs.All(kv => kv.Lease == newLease), "claims to be re-attached to the new lease");
        var after = new Dictionary<string, DateTimeOffset?>();
        foreach (var c in await ContainersAsync())
            after[c.Id] = (await Docker.InspectContainerAsync(c.Id))!.StartedAt;
        Assert.Equal(before, after);
        await WaitConvergedAsync("web");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task After_a_restart_an_adopted_container_still_reaches_its_links(bool claimsExpiredMeanwhile)
    {
        await Ops.SetManifestJsonAsync(App, "web", WebManifest(1));
        await Ops.SetManifestJsonAsync(App, "client", $$"""{"image":"{{TestImage}}","command":["sleep","3600"],"links":["web"]}""");
        await WaitConvergedAsync("web");
        await WaitConvergedAsync("client");
        var client = $"{App}---client";
        // (No -T: busybox wget crashes with it.)
        async Task<string> FetchThroughLinkAsync() =>
            (await ProcessRunner.RunAsync("docker", "exec", client, "sh", "-c", "wget -q -O - http://$SERVICE_WEB_ADDR:$SERVICE_WEB_PORT/ 2>&1")).StdOut.Trim();
        await Poll.UntilAsync(FetchThroughLinkAsync, body => body == "instance-1", "the client to reach web through its link");
        var clientId = (await Docker.InspectContainerAsync(client))!.Id;

        await Agent.StopAsync();
        if (claimsExpiredMeanwhile)
        {
            // Down longer than the lease: the claims are gone, and the new agent adopts the containers afresh.
            await Poll.UntilAsync(async () => (await Client.RangeAsync(KeyLayout.InstancesOf(App, "client"), prefix: true)).Kvs, kvs => kvs.Count == 0, "the stopped agent's claims to expire");
        }

        await Agent.StartAsync();
        await Poll.UntilAsync(async () => (await Client.RangeAsync(KeyLayout.InstancesOf(App, "client"), prefix: true)).Kvs, kvs => kvs.Count == 1 && kvs[0].Lease == Agent.Host!.Membership.LeaseId, "the client's claim to be held by the new agent");

        // The very same container, its SERVICE_WEB_PORT unchanged, reaches web again.
        await Poll.UntilAsync(FetchThroughLinkAsync, body => body == "instance-1", "the adopted client to reach web through its link again");
        Assert.Equal(clientId, (await Docker.InspectContainerAsync(client))!.Id);
    }
}
