using Dokkaa.Agent.Docker;
using Dokkaa.Agent.Tests.Fixtures;
using Xunit;

namespace Dokkaa.Agent.Tests.Docker;

/// <summary>The event stream against the real daemon.</summary>
public sealed class DockerEventTests : IClassFixture<DockerFixture>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private readonly DockerFixture _docker;

    public DockerEventTests(DockerFixture docker) => _docker = docker;

    [Fact]
    public async Task Events_since_a_time_show_start_and_die_of_a_container_that_exits()
    {
        await using var scope = _docker.NewScope();
        // Replay from before the container exists, so the subscription cannot miss its events.
        var since = DateTimeOffset.UtcNow.AddSeconds(-2);
        var id = await scope.RunAsync(scope.Spec("exits", "sh", "-c", "exit 3"));

        using var timeout = new CancellationTokenSource(Deadline);
        var seen = new List<DockerEvent>();
        await foreach (var e in _docker.Client.EventsAsync(scope.Filter, since, timeout.Token))
        {
            seen.Add(e);
            if (e.Action == "die")
                break;
        }

        Assert.All(seen, e => Assert.Equal(id, e.ContainerId));
        var start = Assert.Single(seen, e => e.Action == "start");
        var die = Assert.Single(seen, e => e.Action == "die");
        Assert.True(start.Time <= die.Time);
        Assert.InRange(die.Time, since, DateTimeOffset.UtcNow.AddSeconds(1));
        Assert.Equal("3", die.Attributes["exitCode"]);
        Assert.Equal(scope.Id, die.Attributes[DockerScope.ScopeLabel]);
        Assert.Equal(DockerTestImage.Name, die.Attributes["image"]);
    }

    [Fact]
    public async Task Events_through_the_interface_stream_what_happens_after_subscribing()
    {
        await using var scope = _docker.NewScope();
        IDockerClient client = _docker.Client;
        using var timeout = new CancellationTokenSource(Deadline);
        await using var events = client.EventsAsync(scope.Filter, timeout.Token).GetAsyncEnumerator(timeout.Token);
        // The first MoveNextAsync opens the stream; there is no signal for "subscribed", so keep making
        // short-lived containers until the stream shows one of them (each round is bounded, and so is the whole).
        var next = events.MoveNextAsync().AsTask();
        var ours = new List<string>();
        while (!next.IsCompleted)
        {
            ours.Add(await scope.RunAsync(scope.Spec("tick", "true")));
            await Task.WhenAny(next, Task.Delay(TimeSpan.FromMilliseconds(500), timeout.Token));
        }

        Assert.True(await next);
        Assert.Contains(events.Current.ContainerId, ours);
        Assert.Contains(events.Current.Action, new[] { "create", "start", "die" });
    }
}
