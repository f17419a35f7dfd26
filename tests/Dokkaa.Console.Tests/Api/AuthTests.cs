using System.Net;
using Dokkaa.WebConsole.Hosting;
using Dokkaa.WebConsole.Tests.Support;
using Microsoft.AspNetCore.Http;
using Xunit;
using static Dokkaa.WebConsole.Tests.Support.ConsoleFixture;

namespace Dokkaa.WebConsole.Tests.Api;

/// <summary>Writes need the token; reads are open only from this machine to a loopback name; a loopback console answers loopback Host names only.</summary>
public sealed class AuthTests(ConsoleFixture console) : IClassFixture<ConsoleFixture>
{
    private const string Web = """{"image":"dockerfile/nginx","scale":1}""";

    public static TheoryData<string, string?, string?> Refusals()
    {
        var data = new TheoryData<string, string?, string?>();
        foreach (var method in new[] { "PUT", "PATCH", "DELETE" })
        {
            data.Add(method, null, null);                      // no Authorization header
            data.Add(method, "Bearer", "not-the-token");       // wrong token
            data.Add(method, "Bearer", Token + "x");           // the token plus a character
            data.Add(method, "Basic", Token);                  // the right secret in the wrong scheme
            data.Add(method, "Bearer", "");                    // empty token
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task WriteWithoutTheRightTokenIs401AndChangesNothing(string method, string? scheme, string? token)
    {
        var app = ClusterWriter.NewName();
        await console.Cluster.PutManifestAsync(app, "web", Web);
        var stored = await console.Cluster.GetManifestAsync(app, "web");
        var before = await console.Cluster.RevisionAsync();

        using var request = new HttpRequestMessage(new HttpMethod(method), ManifestPath(app, "web"))
        {
            Content = method == "DELETE" ? null : new StringContent(method == "PATCH" ? """{"scale":5}""" : """{"image":"evil/image","scale":5}"""),
        };
        if (scheme is not null)
            request.Headers.TryAddWithoutValidation("Authorization", $"{scheme} {token}".TrimEnd());
        using var response = await console.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
        Assert.Contains("DokkaaUnauthorized", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(before, await console.Cluster.RevisionAsync());
        Assert.Equal(stored!.Value, (await console.Cluster.GetManifestAsync(app, "web"))!.Value);
    }

    [Theory]
    [InlineData("/API/apps/{0}/web/manifest")]
    [InlineData("/Api/Apps/{0}/web/MANIFEST")]
    [InlineData("/nothing-here")]
    public async Task WritesNeedTheTokenWhateverThePathLooksLike(string path)
    {
        var app = ClusterWriter.NewName();
        var before = await console.Cluster.RevisionAsync();

        using var response = await console.Http.SendAsync(Request(HttpMethod.Put, string.Format(System.Globalization.CultureInfo.InvariantCulture, path, app), Web, token: null));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Null(await console.Cluster.GetManifestAsync(app, "web"));
        Assert.Equal(before, await console.Cluster.RevisionAsync());
    }

    [Fact]
    public async Task CreateWithoutTokenIs401AndCreatesNothing()
    {
        var app = ClusterWriter.NewName();
        var before = await console.Cluster.RevisionAsync();

        using var response = await console.Http.SendAsync(Request(HttpMethod.Put, ManifestPath(app, "web"), Web, token: null));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Null(await console.Cluster.GetManifestAsync(app, "web"));
        Assert.Equal(before, await console.Cluster.RevisionAsync());
    }

    [Theory]
    [InlineData("/api/apps")]
    [InlineData("/api/containers")]
    [InlineData("/api/hosts")]
    [InlineData("/api/status")]
    [InlineData("/api/services/web")]
    [InlineData("/openapi.json")]
    [InlineData("/")]
    public async Task ReadsFromThisMachineNeedNoToken(string path)
    {
        using var response = await console.Http.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("evil.example")]
    [InlineData("evil.example:8080")]
    [InlineData("10.0.0.1")]
    public async Task ALoopbackConsoleRefusesOtherHostNames(string host)
    {
        using var request = Request(HttpMethod.Get, "/api/apps");
        request.Headers.Host = host;

        using var response = await console.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("DokkaaHostRefused", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("127.0.0.1")]
    public async Task ALoopbackConsoleAnswersLoopbackHostNames(string host)
    {
        using var request = Request(HttpMethod.Get, "/api/apps");
        request.Headers.Host = $"{host}:{console.Server.Endpoint.Port}";

        using var response = await console.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    // A peer on another machine cannot be made on loopback-only test machines, so the policy is checked on a
    // request as Kestrel would describe it (no traffic). RebindingTests sends the loopback cases for real.
    [Theory]
    [InlineData("192.0.2.7", "console.example.org", "GET", null, "TokenMissing")]
    [InlineData("192.0.2.7", "console.example.org", "GET", "Bearer wrong", "TokenWrong")]
    [InlineData("192.0.2.7", "console.example.org", "GET", "Bearer " + Token, "Allowed")]
    [InlineData("192.0.2.7", "console.example.org", "GET /API/APPS", null, "TokenMissing")]
    [InlineData("2001:db8::7", "console.example.org", "GET", null, "TokenMissing")]
    [InlineData("192.0.2.7", "console.example.org", "PUT", "Bearer " + Token, "Allowed")]
    [InlineData("192.0.2.7", "console.example.org", "PUT", null, "TokenMissing")]
    // A loopback Host from another machine is no proof of anything: the peer decides first.
    [InlineData("192.0.2.7", "localhost", "GET", null, "TokenMissing")]
    [InlineData("127.0.0.1", "localhost", "GET", null, "Allowed")]
    [InlineData("127.0.0.1", "127.0.0.1", "GET", null, "Allowed")]
    [InlineData("::1", "[::1]", "GET", null, "Allowed")]
    [InlineData("::ffff:127.0.0.1", "localhost", "GET", null, "Allowed")]
    // From this machine under another name: a rebound DNS name in the operator's browser.
    [InlineData("127.0.0.1", "evil.example", "GET", null, "TokenMissing")]
    [InlineData("::1", "console.example.org", "GET", null, "TokenMissing")]
    [InlineData("127.0.0.1", "evil.example", "GET", "Bearer wrong", "TokenWrong")]
    [InlineData("127.0.0.1", "console.example.org", "GET", "Bearer " + Token, "Allowed")]
    [InlineData("127.0.0.1", "localhost", "PUT", null, "TokenMissing")]
    [InlineData("127.0.0.1", "localhost", "DELETE", "Bearer wrong", "TokenWrong")]
    [InlineData("127.0.0.1", "localhost", "POST", "bearer " + Token, "Allowed")]
    public void ReadsNeedTheTokenUnlessFromThisMachineToALoopbackName(string peer, string host, string method, string? authorization, string expected)
    {
        var policy = new AccessPolicy(Token, allowRemote: true);
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse(peer);
        var parts = method.Split(' ');
        context.Request.Method = parts[0];
        context.Request.Path = parts.Length > 1 ? parts[1] : "/api/apps";
        context.Request.Host = new HostString(host, 8080);
        if (authorization is not null)
            context.Request.Headers.Authorization = authorization;

        Assert.Equal(Enum.Parse<AccessDecision>(expected), policy.Check(context));
    }

    [Fact]
    public void ThePageAndOpenApiAreOpenEvenToOtherMachines()
    {
        var policy = new AccessPolicy(Token, allowRemote: true);
        foreach (var path in new[] { "/", "/console.js", "/console.css", "/openapi.json" })
        {
            var context = new DefaultHttpContext();
            context.Connection.RemoteIpAddress = IPAddress.Parse("192.0.2.7");
            context.Request.Method = "GET";
            context.Request.Path = path;
            context.Request.Host = new HostString("console.example.org");
            Assert.Equal(AccessDecision.Allowed, policy.Check(context));
        }
    }
}
