using Dokkaa.Agent.Docker;
using Xunit;

namespace Dokkaa.Agent.Tests.Docker;

/// <summary>Reading event lines, including the shapes a short test run against a daemon rarely produces.</summary>
public sealed class DockerEventJsonTests
{
    [Fact]
    public void A_die_event_has_action_id_attributes_and_nanosecond_time()
    {
        var parsed = DockerEventJson.Parse("""{"status":"die","id":"abc","from":"img","Type":"container","Action":"die","Actor":{"ID":"abc","Attributes":{"exitCode":"3","io.dokkaa.app":"dummy"}},"scope":"local","time":1700000000,"timeNano":1700000000123456789}""");

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
        var parsed = DockerEventJson.Parse("""{"status":"health_status: healthy","id":"abc","Type":"container","Action":"health_status: healthy","Actor":{"ID":"abc","Attributes":{}},"time":1700000000}""");

        Assert.Equal("health_status", parsed?.Action);
        Assert.Equal("healthy", parsed?.Detail);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1700000000), parsed?.Time);
    }

    [Theory]
    [InlineData("""{"Type":"network","Action":"connect","Actor":{"ID":"n1","Attributes":{}}}""")]
    [InlineData("""{"Type":"container","Actor":{"Attributes":{}}}""")]
    [InlineData("not json")]
    [InlineData("[]")]
    public void Lines_that_are_not_container_events_are_skipped(string line)
    {
        Assert.Null(DockerEventJson.Parse(line));
    }
}
