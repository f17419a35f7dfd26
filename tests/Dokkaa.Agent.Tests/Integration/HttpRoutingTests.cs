using Dokkaa.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Dokkaa.Agent.Tests.Integration;

/// <summary>DaprDockr's http-host: the agent's nginx routes a Host header to every instance, end to end.</summary>
[Collection(AgentCollection.Name)]
public sealed class HttpRoutingTests : AgentTestBase, IClassFixture<EtcdFixture>
{
    private static readonly int HttpPort = FreePort.Tcp();

    public HttpRoutingTests(EtcdFixture etcd, ITestOutputHelper output)
        : base(etcd, output, o => o with { HttpListen = new[] { $"127.0.0.1:{HttpPort}" } })
    {
    }

    [Fact]
    public async Task Requests_for_the_manifest_host_reach_every_instance_and_unknown_hosts_get_404()
    {
        var host = $"{App}.shop.test";
        await Ops.SetManifestJsonAsync(App, "web", WebManifest(2, $$""","http":{"host":"{{host}}","port":80}"""));
        await WaitConvergedAsync("web");

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var seen = await Poll.UntilAsync(async () =>
        {
            var bodies = new HashSet<string>();
            for (var i = 0; i < 20; i++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{HttpPort}/");
                request.Headers.Host = host;
                using var response = await http.SendAsync(request);
                var body = (await response.Content.ReadAsStringAsync()).Trim();
                bodies.Add(response.IsSuccessStatusCode ? body : $"{(int)response.StatusCode} {body[..Math.Min(body.Length, 80)]}");
            }

            return bodies;
        }, b => b.SetEquals(new[] { "instance-1", "instance-2" }), $"requests for {host} to reach both instances");
        Output.WriteLine(string.Join(", ", seen));

        using var unknown = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{HttpPort}/");
        unknown.Headers.Host = "nobody.example";
        using var notFound = await http.SendAsync(unknown);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, notFound.StatusCode);
    }
}
