using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Dokkaa.Agent.CommandLine;
using Dokkaa.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Dokkaa.Agent.Tests.Integration;

/// <summary><c>dokkaa-agent --console</c>: the web console and API served by the agent, on the view it already follows.</summary>
[Collection(AgentCollection.Name)]
public sealed class ConsoleHostingTests : AgentTestBase, IClassFixture<EtcdFixture>
{
    private const string Token = "agent-console-token-0123456789";

    public ConsoleHostingTests(EtcdFixture etcd, ITestOutputHelper output)
        : base(etcd, output, o => o with { ConsoleListen = new IPEndPoint(IPAddress.Loopback, 0), ConsoleToken = Token })
    {
    }

    [Fact]
    public async Task A_manifest_written_through_the_agents_api_is_run_by_it_and_its_running_count_read_back()
    {
        var console = Agent.Host!.Console;
        Assert.NotNull(console);
        Assert.True(IPAddress.IsLoopback(console.Endpoint.Address), console.Endpoint.ToString());
        using var http = new HttpClient { BaseAddress = console.Url, Timeout = TimeSpan.FromSeconds(10) };

        // Without the token nothing is written.
        var manifest = $$"""{"image":"{{TestImage}}","scale":2}""";
        using (var refused = await http.PutAsync($"api/apps/{App}/web/manifest", new StringContent(manifest, Encoding.UTF8, "application/json")))
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Empty(await Ops.GetManifestsAsync(App));

        using var put = new HttpRequestMessage(HttpMethod.Put, $"api/apps/{App}/web/manifest") { Content = new StringContent(manifest, Encoding.UTF8, "application/json") };
        put.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        using (var written = await http.SendAsync(put))
            Assert.True(written.IsSuccessStatusCode, $"{(int)written.StatusCode} {await written.Content.ReadAsStringAsync()}");

        await WaitConvergedAsync("web");
        Assert.Equal(2, (await RunningNamesAsync("web")).Count);
        var running = await Poll.UntilAsync(async () =>
        {
            using var apps = JsonDocument.Parse(await http.GetStringAsync($"api/apps?app={App}"));
            return apps.RootElement.EnumerateArray().Where(a => a.GetProperty("name").GetString() == "web").Select(a => a.GetProperty("running").GetInt32()).SingleOrDefault();
        }, n => n == 2, "the agent's API to report 2 running");
        Assert.Equal(2, running);
    }

    [Theory]
    [InlineData("0.0.0.0:8080", false, "not a loopback address")]
    [InlineData("example.org:8080", false, "is not ADDRESS:PORT")]
    [InlineData("127.0.0.1", false, "is not ADDRESS:PORT")]
    public void A_console_address_that_is_wrong_or_not_loopback_is_refused_naming_the_flag(string text, bool allowRemote, string reason)
    {
        var error = Assert.Throws<FormatException>(() => AgentFlags.ParseConsole(text, allowRemote));
        Assert.StartsWith("--console: ", error.Message);
        Assert.Contains(reason, error.Message);
        Assert.DoesNotContain("--listen", error.Message);
    }

    [Fact]
    public void The_console_is_off_unless_asked_for_and_a_remote_address_needs_the_second_flag()
    {
        Assert.Null(AgentFlags.ParseConsole(null, false));
        Assert.Null(AgentFlags.ParseConsole("none", false));
        Assert.Equal(new IPEndPoint(IPAddress.Any, 8080), AgentFlags.ParseConsole("0.0.0.0:8080", true));
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 9000), AgentFlags.ParseConsole("localhost:9000", false));
    }
}
