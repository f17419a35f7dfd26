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

        var seen = await Poll.UntilAsync(() => BodiesAsync(host, 20), b => b.SetEquals(new[] { "instance-1", "instance-2" }), $"requests for {host} to reach both instances");
        Output.WriteLine(string.Join(", ", seen));

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        using var unknown = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{HttpPort}/");
        unknown.Headers.Host = "nobody.example";
        using var notFound = await http.SendAsync(unknown);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, notFound.StatusCode);
    }

    [Fact]
    public async Task A_second_manifest_with_the_same_host_is_not_routed_and_its_status_says_who_serves_it()
    {
        var host = $"{App}.shop.test";
        var route = $$""","http":{"host":"{{host}}","port":80}""";
        await Ops.SetManifestJsonAsync(App, "web", WebManifest(1, route));
        await WaitConvergedAsync("web");
        await Ops.SetManifestJsonAsync(App, "intruder", $$$"""{"image":"{{{TestImage}}}","services":{"site":80},"command":["sh","-c","mkdir -p /www && echo intruder > /www/index.html && exec httpd -f -p 80 -h /www"]{{{route}}}}""");
        await WaitConvergedAsync("intruder");

        var status = await WaitForErrorAsync("intruder", $"http.host {host} is served by {App}/web");
        Output.WriteLine(string.Join("\n", status.Errors));
        Assert.Empty((await StatusAsync("web")).Errors);
        // nginx catches up with the claims a reload later than the status does (a request may meet the config in which
        // web's instance was still starting: a 503), so wait for web's instance alone; the intruder must answer no request.
        var everSeen = new HashSet<string>();
        await Poll.UntilAsync(async () =>
        {
            var bodies = await BodiesAsync(host, 20);
            everSeen.UnionWith(bodies);
            return bodies;
        }, b => b.SetEquals(new[] { "instance-1" }), $"requests for {host} to reach web's instance alone");
        Assert.DoesNotContain("intruder", everSeen);
    }

    [Fact]
    public async Task A_route_whose_instances_do_not_answer_is_an_error_in_the_status()
    {
        var host = $"{App}.mute.test";
        // Port 80 is a service and is published, but nothing in the container listens on it.
        await Ops.SetManifestJsonAsync(App, "mute", $$$"""{"image":"{{{TestImage}}}","services":{"web":80},"command":["sh","-c","exec sleep 3600"],"http":{"host":"{{{host}}}","port":80}}""");
        await WaitConvergedAsync("mute");

        var status = await WaitForErrorAsync("mute", "no instance answered through nginx on this host");
        Output.WriteLine(string.Join("\n", status.Errors));
        Assert.Contains(status.Errors, e => e.StartsWith($"http on {Agent.Options.HostId}: ", StringComparison.Ordinal));
    }

    private async Task<IReadOnlySet<string>> BodiesAsync(string host, int requests)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var bodies = new HashSet<string>();
        for (var i = 0; i < requests; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{HttpPort}/");
            request.Headers.Host = host;
            using var response = await http.SendAsync(request);
            var body = (await response.Content.ReadAsStringAsync()).Trim();
            bodies.Add(response.IsSuccessStatusCode ? body : $"{(int)response.StatusCode} {body[..Math.Min(body.Length, 80)]}");
        }

        return bodies;
    }
}
