using System.Net;
using System.Net.Sockets;
using Dokkaa.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Dokkaa.Agent.Tests.Integration;

/// <summary>An agent whose nginx cannot run (its HTTP port is taken) says so in the status of every routed manifest.</summary>
[Collection(AgentCollection.Name)]
public sealed class HttpUnavailableTests : AgentTestBase, IClassFixture<EtcdFixture>
{
    private static readonly int HttpPort = FreePort.Tcp();
    private readonly TcpListener _taken;

    public HttpUnavailableTests(EtcdFixture etcd, ITestOutputHelper output)
        : base(etcd, output, o => o with { HttpListen = new[] { $"127.0.0.1:{HttpPort}" } })
    {
        // Held before the agent starts (InitializeAsync), so its nginx cannot bind the port.
        _taken = new TcpListener(IPAddress.Loopback, HttpPort);
        _taken.Start();
    }

    public override async Task DisposeAsync()
    {
        try
        {
            await base.DisposeAsync();
        }
        finally
        {
            _taken.Dispose();
        }
    }

    [Fact]
    public async Task Nginx_that_cannot_run_is_an_error_in_the_status_of_routed_manifests_only()
    {
        // Scale 0: the status is the point, no container is needed.
        await Ops.SetManifestJsonAsync(App, "web", WebManifest(0, $$""","http":{"host":"{{App}}.down.test","port":80}"""));
        await Ops.SetManifestJsonAsync(App, "plain", $$"""{"image":"{{TestImage}}","scale":0}""");

        var status = await WaitForErrorAsync("web", $"http on {Agent.Options.HostId}: nginx does not run: ");
        Output.WriteLine(string.Join("\n", status.Errors));
        Assert.Contains(status.Errors, e => e.Contains("Address already in use", StringComparison.Ordinal));
        Assert.Empty((await WaitConvergedAsync("plain")).Errors);
    }

    [Fact]
    public async Task Once_the_port_is_free_nginx_starts_by_itself_routes_and_the_error_goes()
    {
        var host = $"{App}.back.test";
        await Ops.SetManifestJsonAsync(App, "web", WebManifest(1, $$""","http":{"host":"{{host}}","port":80}"""));
        await WaitForErrorAsync("web", "nginx does not run: ");

        _taken.Stop();

        var status = await Poll.UntilAsync(async () => (await Ops.GetStatusAsync(App, "web")).Single(), s => s.Converged && s.Errors.Count == 0, "the status to lose the nginx error");
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{HttpPort}/");
        request.Headers.Host = host;
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("instance-1", (await response.Content.ReadAsStringAsync()).Trim());
        Assert.Equal(1, status!.Running);
    }
}
