using Dokkaa.Agent.Docker;
using Dokkaa.Testing.Docker;
using Xunit;

namespace Dokkaa.Agent.Tests.Units.Reconciliation;

/// <summary>The fake keeps the Docker rules the agent relies on, and its events and failures come when asked for.</summary>
public sealed class FakeDockerClientTests
{
    private static readonly Dictionary<string, string> Labels = new() { ["io.dokkaa.host"] = "h1" };

    [Fact]
    public async Task Names_are_unique_an_absent_image_is_not_found_and_stop_and_remove_are_idempotent()
    {
        using var docker = new FakeDockerClient().WithImage("shop/web:1");
        var id = await docker.CreateContainerAsync(Spec("web"));

        Assert.Equal(409, (await Assert.ThrowsAsync<DockerException>(() => docker.CreateContainerAsync(Spec("web")))).StatusCode);
        await Assert.ThrowsAsync<DockerNotFoundException>(() => docker.CreateContainerAsync(Spec("other") with { Image = "shop/missing:1" }));
        await docker.StopContainerAsync(id, TimeSpan.Zero);
        await docker.RemoveContainerAsync(id);
        await docker.RemoveContainerAsync(id);
        Assert.Null(await docker.InspectContainerAsync("web"));
    }

    [Fact]
    public async Task A_failure_on_demand_fails_the_next_matching_calls_only()
    {
        using var docker = new FakeDockerClient().WithImage("shop/web:1");
        var id = await docker.CreateContainerAsync(Spec("web"));
        docker.Fail("start", new DockerException("task already exists", 500), target: t => t == id);

        Assert.Equal("task already exists", (await Assert.ThrowsAsync<DockerException>(() => docker.StartContainerAsync(id))).Message);
        await docker.StartContainerAsync(id);
        Assert.True((await docker.InspectContainerAsync(id))?.Running);
    }

    [Fact]
    public async Task Events_of_containers_with_the_labels_asked_for_arrive_in_order()
    {
        using var docker = new FakeDockerClient().WithImage("shop/web:1");
        using var stop = new CancellationTokenSource();
        await using var events = docker.EventsAsync(new Dictionary<string, string?> { ["io.dokkaa.host"] = "h1" }, stop.Token).GetAsyncEnumerator(stop.Token);
        var first = events.MoveNextAsync(); // subscribes

        docker.Add(Spec("unlabelled") with { Labels = new Dictionary<string, string>() });
        var web = docker.Add(Spec("web"));
        docker.Exit("web", 1);

        var seen = new List<string>();
        Assert.True(await first);
        seen.Add($"{events.Current.Action} {events.Current.ContainerId}");
        while (seen.Count < 3 && await events.MoveNextAsync())
            seen.Add($"{events.Current.Action} {events.Current.ContainerId}");
        Assert.Equal(new[] { $"create {web.Id}", $"start {web.Id}", $"die {web.Id}" }, seen);
    }

    private static ContainerSpec Spec(string name) => new() { Name = name, Image = "shop/web:1", Labels = Labels };
}
