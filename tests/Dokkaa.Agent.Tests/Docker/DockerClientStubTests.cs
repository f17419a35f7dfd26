using System.Net;
using Dokkaa.Agent.Docker;
using Xunit;

namespace Dokkaa.Agent.Tests.Docker;

/// <summary>How the client reads answers the real daemon gives only in situations a test cannot arrange.</summary>
public sealed class DockerClientStubTests
{
    [Fact]
    public async Task An_error_line_in_a_pull_stream_that_said_200_fails_the_pull()
    {
        var handler = new StubDockerHandler(HttpStatusCode.OK, """
            {"status":"Pulling from library/app","id":"1"}
            {"status":"Downloading","progressDetail":{"current":1,"total":2},"id":"abc"}
            {"errorDetail":{"message":"unexpected EOF"},"error":"unexpected EOF"}
            """);
        using var client = handler.Client();

        var error = await Assert.ThrowsAsync<DockerException>(() => client.PullImageAsync("127.0.0.1:5000/app:2"));

        Assert.Contains("unexpected EOF", error.Message);
        Assert.Equal(["POST /v1.41/images/create?fromImage=127.0.0.1%3A5000%2Fapp&tag=2"], handler.Requests);
    }

    [Fact]
    public async Task A_pull_stream_without_errors_succeeds()
    {
        using var client = new StubDockerHandler(HttpStatusCode.OK, """
            {"status":"Pulling from library/app"}
            {"status":"Status: Downloaded newer image for app:latest"}
            """).Client();

        await client.PullImageAsync("app");
    }

    [Fact]
    public async Task A_pull_that_outlives_its_timeout_fails_as_a_pull_not_as_an_unavailable_daemon()
    {
        var handler = new StubDockerHandler(async (_, token) =>
        {
            await Task.Delay(Timeout.Infinite, token);
            throw new InvalidOperationException("unreachable");
        });
        using var client = handler.Client(new DockerClientOptions { PullTimeout = TimeSpan.FromMilliseconds(200) });

        var error = await Assert.ThrowsAsync<DockerException>(() => client.PullImageAsync("app"));

        Assert.IsNotType<DockerUnavailableException>(error);
        Assert.Contains("did not finish within", error.Message);
    }

    [Fact]
    public async Task A_daemon_that_does_not_answer_is_unavailable_after_the_request_timeout()
    {
        var handler = new StubDockerHandler(async (_, token) =>
        {
            await Task.Delay(Timeout.Infinite, token);
            throw new InvalidOperationException("unreachable");
        });
        using var client = handler.Client(new DockerClientOptions { RequestTimeout = TimeSpan.FromMilliseconds(200) });

        var error = await Assert.ThrowsAsync<DockerUnavailableException>(() => client.PingAsync());

        Assert.Contains("stub://docker", error.Message);
        Assert.Contains("did not answer", error.Message);
    }

    [Fact]
    public async Task The_callers_cancellation_stays_a_cancellation()
    {
        var handler = new StubDockerHandler(async (_, token) =>
        {
            await Task.Delay(Timeout.Infinite, token);
            throw new InvalidOperationException("unreachable");
        });
        using var client = handler.Client();
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.PingAsync(cancel.Token));
    }

    [Fact]
    public async Task A_server_error_carries_the_daemons_message_and_status()
    {
        using var client = new StubDockerHandler(HttpStatusCode.InternalServerError, """{"message":"driver failed programming external connectivity"}""").Client();

        var error = await Assert.ThrowsAsync<DockerException>(() => client.StartContainerAsync("abc"));

        Assert.Equal(500, error.StatusCode);
        Assert.Contains("driver failed programming external connectivity", error.Message);
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_still_the_message()
    {
        using var client = new StubDockerHandler(HttpStatusCode.BadGateway, "upstream went away").Client();

        var error = await Assert.ThrowsAsync<DockerException>(() => client.InspectContainerAsync("abc"));

        Assert.Contains("upstream went away", error.Message);
    }

    [Fact]
    public async Task Remove_already_in_progress_is_fine_but_other_conflicts_are_not()
    {
        using var inProgress = new StubDockerHandler(HttpStatusCode.Conflict, """{"message":"removal of container abc is already in progress"}""").Client();
        using var otherConflict = new StubDockerHandler(HttpStatusCode.Conflict, """{"message":"You cannot remove a paused container"}""").Client();

        await inProgress.RemoveContainerAsync("abc");
        var error = await Assert.ThrowsAsync<DockerException>(() => otherConflict.RemoveContainerAsync("abc"));

        Assert.Equal(409, error.StatusCode);
        Assert.Contains("paused", error.Message);
    }

    [Fact]
    public async Task Events_arrive_in_order_and_end_with_the_stream()
    {
        var handler = new StubDockerHandler(HttpStatusCode.OK, """
            {"Type":"container","Action":"start","Actor":{"ID":"a","Attributes":{}},"timeNano":1}
            {"Type":"network","Action":"connect","Actor":{"ID":"n","Attributes":{}},"timeNano":2}
            {"Type":"container","Action":"die","Actor":{"ID":"a","Attributes":{"exitCode":"0"}},"timeNano":3}
            """);
        using var client = handler.Client();

        var actions = new List<string>();
        await foreach (var e in client.EventsAsync(new Dictionary<string, string?> { ["io.dokkaa.app"] = null }, DateTimeOffset.FromUnixTimeMilliseconds(1500)))
            actions.Add(e.Action);

        Assert.Equal(["start", "die"], actions);
        var request = Assert.Single(handler.Requests);
        Assert.StartsWith("GET /v1.41/events?", request);
        Assert.Contains("since=1.500000000", request);
        Assert.Contains(Uri.EscapeDataString("""{"type":{"container":true},"label":{"io.dokkaa.app":true}}"""), request);
    }

    [Fact]
    public async Task An_unreadable_event_ends_the_stream_with_a_docker_error_after_the_events_before_it()
    {
        // The agent re-opens a stream that fails this way, as after a daemon restart.
        using var client = new StubDockerHandler(HttpStatusCode.OK, """
            {"Type":"container","Action":"start","Actor":{"ID":"a","Attributes":{}},"timeNano":1}
            garbage
            """).Client();

        var actions = new List<string>();
        var error = await Assert.ThrowsAnyAsync<DockerException>(async () =>
        {
            await foreach (var e in client.EventsAsync(new Dictionary<string, string?>()))
                actions.Add(e.Action);
        });

        Assert.Equal(["start"], actions);
        Assert.Contains("GET /events", error.Message);
    }
}
