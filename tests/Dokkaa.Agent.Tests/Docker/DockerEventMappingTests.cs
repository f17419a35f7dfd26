using Docker.DotNet.Models;
using Dokkaa.Agent.Docker;
using Xunit;

namespace Dokkaa.Agent.Tests.Docker;

/// <summary>Reading event messages, including the shapes a short test run against a daemon rarely produces.</summary>
public sealed class DockerEventMappingTests
{
    [Fact]
    public void A_die_event_has_action_id_attributes_and_nanosecond_time()
    {
        var parsed = DockerEventMapping.ToEvent(new Message
        {
            Type = "container",
            Action = "die",
            Actor = new() { ID = "abc", Attributes = new Dictionary<string, string> { ["exitCode"] = "3", ["io.dokkaa.app"] = "dummy" } },
            Time = 1700000000,
            TimeNano = 1700000000123456789,
        });

        Assert.NotNull(parsed);
        Assert.Equal("die", parsed.Action);
        Assert.Null(parsed.Detail);
        Assert.Equal("abc", parsed.ContainerId);
        Assert.Equal("3", parsed.Attributes["exitCode"]);
        Assert.Equal("dummy", parsed.Attributes["io.dokkaa.app"]);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1700000000).AddTicks(1234567), parsed.Time);
    }

    [Fact]
    public void Health_status_splits_into_action_and_detail()
    {
        var parsed = DockerEventMapping.ToEvent(new Message { Type = "container", Action = "health_status: healthy", Actor = new() { ID = "abc" }, Time = 1700000000 });

        Assert.Equal("health_status", parsed?.Action);
        Assert.Equal("healthy", parsed?.Detail);
        Assert.Empty(parsed?.Attributes ?? new Dictionary<string, string> { ["x"] = "" });
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1700000000), parsed?.Time);
    }

    [Fact]
    public void Messages_that_are_not_container_events_are_skipped()
    {
        Assert.Null(DockerEventMapping.ToEvent(new Message { Type = "network", Action = "connect", Actor = new() { ID = "n1" } }));
        Assert.Null(DockerEventMapping.ToEvent(new Message { Type = "container", Actor = new() }));
        Assert.Null(DockerEventMapping.ToEvent(new Message { Type = "container", Action = "start", Actor = null! }));
    }
}
