using System.Net;
using Dokkaa.Testing;
using Dokkaa.WebConsole.Hosting;
using Dokkaa.WebConsole.Tests.Support;
using Xunit;

namespace Dokkaa.WebConsole.Tests.Api;

/// <summary>
/// DNS rebinding against a console that listens beyond loopback (<c>dokkaa console --allow-remote</c>, as a process):
/// a page on evil.example whose name was re-pointed at 127.0.0.1 reaches the console from this machine, with
/// <c>Host: evil.example</c>. Only a read addressed to localhost or a loopback address goes without the token.
/// </summary>
public sealed class RebindingTests(ConsoleFixture console) : IClassFixture<ConsoleFixture>
{
    private const string Token = "rebinding-token-7f3e91c0a4";
    private const string Secret = "env-secret-b81d55e2";
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    private static readonly string[] DataRoutes =
    {
        "/api/apps", "/api/apps/{0}/web/manifest", "/api/containers", "/api/hosts", "/api/status", "/api/services/web", "/api/events",
    };

    [Fact]
    public async Task ARemoteConsoleServesTokenlessReadsOnlyToLoopbackHostNames()
    {
        var app = ClusterWriter.NewName();
        await console.Cluster.PutManifestAsync(app, "web", $$$"""{"image":"dockerfile/nginx","env":{"PASSWORD":"{{{Secret}}}"}}""");
        await using var cli = RunningProcess.Start(RepoPaths.Cli, new[] { "console", "--etcd", console.EtcdServer.Endpoint, "--listen", "0.0.0.0:0", "--allow-remote" },
            new Dictionary<string, string> { [ConsoleCommand.TokenVariable] = Token });
        var urlLine = await cli.LineAsync(l => l.StartsWith("Dokkaa console on ", StringComparison.Ordinal), Limit);
        // The wildcard address is reached over loopback only: no traffic leaves this machine.
        var url = new Uri(urlLine["Dokkaa console on ".Length..].Split(' ')[0]);
        Assert.Equal("127.0.0.1", url.Host);
        using var http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(30) };

        foreach (var route in DataRoutes)
        {
            var path = string.Format(System.Globalization.CultureInfo.InvariantCulture, route, app);
            foreach (var host in new[] { "evil.example", $"evil.example:{url.Port}", "console.example.org", "192.0.2.10" })
            {
                using var rebound = await SendAsync(http, path, host, token: null);
                // The status first: an answered event stream has no end to read to.
                Assert.True(rebound.StatusCode == HttpStatusCode.Unauthorized, $"GET {path} with Host {host}: {(int)rebound.StatusCode}, not 401");
                var body = await rebound.Content.ReadAsStringAsync();
                Assert.DoesNotContain(Secret, body, StringComparison.Ordinal);
                Assert.Contains("DokkaaUnauthorized", body, StringComparison.Ordinal);
            }

            // The console's own name works with the token (an operator on another machine, or behind a proxy).
            using (var named = await SendAsync(http, path, "console.example.org", Token))
                Assert.Equal(HttpStatusCode.OK, named.StatusCode);
            foreach (var host in new[] { $"127.0.0.1:{url.Port}", $"localhost:{url.Port}" })
            {
                using var local = await SendAsync(http, path, host, token: null);
                Assert.True(local.StatusCode == HttpStatusCode.OK, $"GET {path} with Host {host}: {(int)local.StatusCode}");
            }
        }

        using (var manifest = await SendAsync(http, ConsoleFixture.ManifestPath(app, "web"), $"localhost:{url.Port}", token: null))
            Assert.Contains(Secret, await manifest.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        // The page holds no cluster data: it loads under any name, and asks for the token when its reads are refused.
        using (var page = await SendAsync(http, "/", "evil.example", token: null))
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
    }

    /// <summary>Headers only: the event stream never ends, and its status is all this needs.</summary>
    private static Task<HttpResponseMessage> SendAsync(HttpClient http, string path, string host, string? token)
    {
        var request = ConsoleFixture.Request(HttpMethod.Get, path, token: token);
        request.Headers.Host = host;
        return http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }
}
