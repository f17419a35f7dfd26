using Dokkaa.Agent.Docker;
using Dokkaa.Agent.Tests.Fixtures;
using Dokkaa.Agent.Tests.Integration;
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
        using var timeout = new CancellationTokenSource(Deadline);
        var (events, ours) = await SubscribeAsync(scope, timeout.Token);
        await using (events)
        {
            Assert.Contains(events.Current.ContainerId, ours);
            Assert.Contains(events.Current.Action, new[] { "create", "start", "die" });
        }
    }

    [Fact]
    public async Task The_event_stream_ends_when_dockerd_restarts()
    {
        // The agent re-opens its stream (and reconciles) when it ends: a stream that hung on would leave the
        // agent deaf to the restarted daemon's events.
        await using var scope = _docker.NewScope();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var (events, _) = await SubscribeAsync(scope, timeout.Token);
        await using (events)
        {
            await DockerDaemon.RestartAsync();

            var ended = false;
            while (!ended)
            {
                try
                {
                    ended = !await events.MoveNextAsync();
                }
                catch (DockerException)
                {
                    ended = true;
                }
            }

            Assert.False(timeout.IsCancellationRequested, "the stream ended by itself, not by the test's deadline");
        }
    }

    /// <summary>
    /// Opens the stream through the interface and returns it positioned on its first event, with the ids of the
    /// containers made meanwhile. There is no signal for "subscribed", so it keeps making short-lived containers
    /// until the stream shows one of them (each round is bounded, and so is the whole).
    /// </summary>
    private async Task<(IAsyncEnumerator<DockerEvent> Events, List<string> Ours)> SubscribeAsync(DockerScope scope, CancellationToken cancellationToken)
    {
        IDockerClient client = _docker.Client;
        var events = client.EventsAsync(scope.Filter, cancellationToken).GetAsyncEnumerator(cancellationToken);
        var next = events.MoveNextAsync().AsTask();
        var ours = new List<string>();
        while (!next.IsCompleted)
        {
            ours.Add(await scope.RunAsync(scope.Spec("tick", "true")));
            await Task.WhenAny(next, Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken));
        }

        Assert.True(await next);
        return (events, ours);
    }
}
