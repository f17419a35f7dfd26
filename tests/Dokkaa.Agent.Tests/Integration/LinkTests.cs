using System.Text.Json;
using Dokkaa.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Dokkaa.Agent.Tests.Integration;

/// <summary>
/// Ambassador ports and link ownership on one real host, with an ambassador range of two ports so that running
/// out of them takes two links rather than a thousand.
/// </summary>
[Collection(AgentCollection.Name)]
public sealed class LinkTests : AgentTestBase, IClassFixture<EtcdFixture>
{
    private static readonly int FirstPort = FreePort.Tcp();

    public LinkTests(EtcdFixture etcd, ITestOutputHelper output)
        : base(etcd, output, o => o with { AmbassadorPortFirst = FirstPort, AmbassadorPortLast = FirstPort + 1 })
    {
    }

    private string PortBookPath => Path.Combine(Agent.Options.DataDir, "ambassador-ports.json");

    private static string Sleeper(params string[] links) =>
        JsonSerializer.Serialize(new { image = TestImage, command = new[] { "sleep", "3600" }, links });

    [Fact]
    public async Task A_link_without_a_free_port_says_so_and_starts_once_a_deleted_manifest_gave_its_ports_back()
    {
        await Ops.SetManifestJsonAsync(App, "first", Sleeper("a", "b"));
        await WaitConvergedAsync("first");

        await Ops.SetManifestJsonAsync(App, "second", Sleeper("c"));
        var status = await WaitForErrorAsync("second", "no free ambassador port left");
        Output.WriteLine(string.Join("\n", status.Errors));

        await Ops.RemoveManifestAsync(App, "first");
        await WaitConvergedAsync("second");
        var env = (await ProcessRunner.RunAsync("docker", "exec", $"{App}---second", "env")).StdOut;
        Assert.Matches($"SERVICE_C_PORT=({FirstPort}|{FirstPort + 1})\n", env);
        var book = await File.ReadAllTextAsync(PortBookPath);
        Assert.DoesNotContain("a." + App, book, StringComparison.Ordinal);
    }

    [Fact]
    public async Task At_start_the_agent_gives_back_booked_ports_that_no_container_uses()
    {
        // The book of an earlier life of this host: both ports taken by links whose containers are long gone.
        await Agent.StopAsync();
        await File.WriteAllTextAsync(PortBookPath, JsonSerializer.Serialize(new Dictionary<string, int> { ["x.gone"] = FirstPort, ["y.gone"] = FirstPort + 1 }));
        await Agent.StartAsync();

        await Ops.SetManifestJsonAsync(App, "client", Sleeper("c"));

        await WaitConvergedAsync("client");
        Assert.DoesNotContain((await StatusAsync("client")).Errors, e => e.Contains("ambassador", StringComparison.Ordinal));
        Assert.DoesNotContain("x.gone", await File.ReadAllTextAsync(PortBookPath), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_later_manifest_offering_the_same_service_gets_no_link_connections_and_is_told_why()
    {
        await Ops.SetManifestJsonAsync(App, "web", WebManifest(1));
        await Ops.SetManifestJsonAsync(App, "thief", $$"""{"image":"{{TestImage}}","services":{"web":80},"command":["sh","-c","mkdir -p /www && echo thief > /www/index.html && exec httpd -f -p 80 -h /www"]}""");
        await Ops.SetManifestJsonAsync(App, "client", Sleeper("web"));
        await WaitConvergedAsync("web");
        await WaitConvergedAsync("thief");
        await WaitConvergedAsync("client");

        await WaitForErrorAsync("thief", $"service web is already offered by {App}/web");
        var answers = new List<string>();
        for (var i = 0; i < 6; i++)
            answers.Add((await ProcessRunner.RunAsync("docker", "exec", $"{App}---client", "sh", "-c", "wget -q -O - http://$SERVICE_WEB_ADDR:$SERVICE_WEB_PORT/ 2>&1")).StdOut.Trim());

        Assert.All(answers, answer => Assert.Equal("instance-1", answer));
    }
}
