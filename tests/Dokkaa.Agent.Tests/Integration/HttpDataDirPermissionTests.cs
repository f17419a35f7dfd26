using Dokkaa.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Dokkaa.Agent.Tests.Integration;

/// <summary>
/// HTTP routing whatever the permissions of the data directory. The agent runs as root and nginx's workers as
/// nobody: a socket or temp directory under a data directory they cannot traverse made every request a 502
/// while the agent logged successful reloads.
/// </summary>
[Collection(AgentCollection.Name)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class HttpDataDirPermissionTests : AgentTestBase, IClassFixture<EtcdFixture>
{
    private static readonly int HttpPort = FreePort.Tcp();

    public HttpDataDirPermissionTests(EtcdFixture etcd, ITestOutputHelper output)
        // The harness's own directory (0755) becomes the parent of the data directory; each test sets the modes.
        : base(etcd, output, o => o with { HttpListen = new[] { $"127.0.0.1:{HttpPort}" }, DataDir = Path.Combine(o.DataDir, "data") })
    {
    }

    private string DataDir => Agent.Options.DataDir;

    private string Parent => Path.GetDirectoryName(DataDir)!;

    /// <summary>Each test prepares the directories before the agent starts.</summary>
    public override Task InitializeAsync() => Task.CompletedTask;

    public override async Task DisposeAsync()
    {
        try
        {
            await base.DisposeAsync();
        }
        finally
        {
            Directory.Delete(Parent, recursive: true);
        }
    }

    [Fact]
    public async Task Routing_works_with_a_data_directory_that_is_0700()
    {
        Directory.CreateDirectory(DataDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.SetUnixFileMode(DataDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        await RoutesAsync();
    }

    [Fact]
    public async Task Routing_works_with_a_data_directory_under_a_0700_parent()
    {
        Directory.CreateDirectory(DataDir);
        File.SetUnixFileMode(DataDir, (UnixFileMode)Convert.ToInt32("755", 8));
        File.SetUnixFileMode(Parent, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        await RoutesAsync();
    }

    private async Task RoutesAsync()
    {
        await Agent.StartAsync();
        var host = $"{App}.perm.test";
        await Ops.SetManifestJsonAsync(App, "web", WebManifest(1, $$""","http":{"host":"{{host}}","port":80}"""));
        await WaitConvergedAsync("web");

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var answer = await Poll.UntilAsync(async () =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{HttpPort}/");
            request.Headers.Host = host;
            using var response = await http.SendAsync(request);
            return $"{(int)response.StatusCode} {(await response.Content.ReadAsStringAsync()).Trim()}";
        }, a => a == "200 instance-1", $"a request for {host} through nginx to reach the instance", TimeSpan.FromSeconds(30));
        Output.WriteLine(answer);
        // And the route check agrees: nothing about http in the status.
        await Poll.UntilAsync(async () => (await StatusAsync("web")).Errors.Count == 0, "a status without errors", TimeSpan.FromSeconds(30));
    }
}
