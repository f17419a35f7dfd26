using System.Net;
using System.Net.Sockets;
using Dokkaa.Etcd;
using Dokkaa.Testing;
using Dokkaa.WebConsole.Hosting;
using Dokkaa.WebConsole.Tests.Support;
using Xunit;

namespace Dokkaa.WebConsole.Tests.Api;

/// <summary>The console and API bind to loopback unless told otherwise, and `dokkaa console` is how an operator starts them.</summary>
public sealed class ListenTests(ConsoleFixture console) : IClassFixture<ConsoleFixture>
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    [Fact]
    public void DefaultIsLoopback()
    {
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 8080), new ConsoleServerOptions().Listen);
        Assert.False(new ConsoleServerOptions().AllowRemote);

        var command = ConsoleCommand.Create(new WebConsole.CommandLine.EtcdFlags());
        var listen = command.Options.Single(o => o.Name == "--listen");
        var parsed = command.Parse(Array.Empty<string>());
        Assert.Equal("127.0.0.1:8080", parsed.GetValue((System.CommandLine.Option<string>)listen));
        Assert.False(parsed.GetValue((System.CommandLine.Option<bool>)command.Options.Single(o => o.Name == "--allow-remote")));
    }

    [Theory]
    [InlineData("127.0.0.1:8080", "127.0.0.1", 8080)]
    [InlineData("127.1.2.3:0", "127.1.2.3", 0)]
    [InlineData("localhost:9000", "127.0.0.1", 9000)]
    [InlineData("[::1]:8080", "::1", 8080)]
    [InlineData("0.0.0.0:8080", "0.0.0.0", 8080)]
    public void ParsesAddressAndPort(string text, string address, int port)
    {
        Assert.Equal(new IPEndPoint(IPAddress.Parse(address), port), ListenAddress.Parse(text));
    }

    [Theory]
    [InlineData("8080")]
    [InlineData("127.0.0.1")]
    [InlineData("example.com:8080")]
    [InlineData("127.0.0.1:70000")]
    [InlineData("::1:8080")]
    public void RejectsWhatIsNotAnAddressAndPort(string text)
    {
        Assert.Throws<FormatException>(() => ListenAddress.Parse(text));
    }

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("::")]
    [InlineData("192.0.2.10")]
    [InlineData("::ffff:192.0.2.10")]
    public async Task NonLoopbackIsRefusedWithoutAllowRemoteAndNothingIsBound(string address)
    {
        var port = FreePort.Tcp();

        var error = await Assert.ThrowsAsync<ConsoleConfigurationException>(() =>
            ConsoleServer.StartAsync(console.Etcd, new ConsoleServerOptions { Listen = new IPEndPoint(IPAddress.Parse(address), port), Token = "t" }));

        Assert.Contains("refusing to listen", error.Message, StringComparison.Ordinal);
        Assert.Contains("--allow-remote", error.Message, StringComparison.Ordinal);
        using var probe = new TcpClient();
        await Assert.ThrowsAsync<SocketException>(() => probe.ConnectAsync(IPAddress.Loopback, port));
    }

    [Fact]
    public async Task AllowRemoteBindsTheWildcardAddress()
    {
        await using var server = await ConsoleServer.StartAsync(console.Etcd, new ConsoleServerOptions
        {
            Listen = new IPEndPoint(IPAddress.Any, 0),
            AllowRemote = true,
            Token = ConsoleFixture.Token,
        });

        Assert.Equal(IPAddress.Any, server.Endpoint.Address);
        // Reached over loopback only (no traffic leaves this machine); any Host name is answered now, with the
        // token (RebindingTests: without it only loopback names are).
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{server.Endpoint.Port}/") };
        using var request = ConsoleFixture.Request(HttpMethod.Get, "/api/apps");
        request.Headers.Host = "console.example.org";
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public void LoopbackServerBindsLoopbackOnly()
    {
        Assert.True(IPAddress.IsLoopback(console.Server.Endpoint.Address));
        Assert.Equal("127.0.0.1", console.Server.Url.Host);
    }

    [Fact]
    public async Task AddressInUseIsAClearError()
    {
        var error = await Assert.ThrowsAsync<ConsoleConfigurationException>(() =>
            ConsoleServer.StartAsync(console.Etcd, new ConsoleServerOptions { Listen = console.Server.Endpoint, Token = "t" }));

        Assert.Contains($"cannot listen on {console.Server.Endpoint}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnreachableEtcdIsAClearError()
    {
        using var nowhere = EtcdClients.Create("http://127.0.0.1:1");

        var error = await Assert.ThrowsAsync<Dokkaa.Core.Operations.DokkaaException>(() =>
            ConsoleServer.StartAsync(nowhere, new ConsoleServerOptions { Listen = new IPEndPoint(IPAddress.Loopback, 0) }));

        Assert.Equal(Dokkaa.Core.Operations.DokkaaErrorKind.ClusterUnreachable, error.Kind);
        Assert.Contains("127.0.0.1:1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CliRefusesANonLoopbackListenAddress()
    {
        var port = FreePort.Tcp();

        var result = await ProcessRunner.RunAsync(RepoPaths.Cli, new[] { "console", "--etcd", console.EtcdServer.Endpoint, "--listen", $"0.0.0.0:{port}" }, timeout: Limit);

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("dokkaa: refusing to listen on 0.0.0.0:", result.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CliServesWithAGeneratedTokenItPrints()
    {
        await using var cli = RunningProcess.Start(RepoPaths.Cli, new[] { "console", "--etcd", console.EtcdServer.Endpoint, "--listen", "127.0.0.1:0" });

        var urlLine = await cli.LineAsync(l => l.StartsWith("Dokkaa console on ", StringComparison.Ordinal), Limit);
        var tokenLine = await cli.LineAsync(l => l.StartsWith("Token for changes (generated): ", StringComparison.Ordinal), Limit);
        var url = new Uri(urlLine["Dokkaa console on ".Length..].Split(' ')[0]);
        var token = tokenLine["Token for changes (generated): ".Length..];
        Assert.Equal("127.0.0.1", url.Host);
        Assert.True(token.Length >= 32, token);
        await cli.LineAsync(l => l == $"Open {url}#token={token}", Limit);

        using var http = new HttpClient { BaseAddress = url };
        var app = ClusterWriter.NewName();
        using (var refused = await http.SendAsync(ConsoleFixture.Request(HttpMethod.Put, ConsoleFixture.ManifestPath(app, "web"), """{"image":"dockerfile/nginx"}""", token: "guess")))
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        using (var created = await http.SendAsync(ConsoleFixture.Request(HttpMethod.Put, ConsoleFixture.ManifestPath(app, "web"), """{"image":"dockerfile/nginx"}""", token: token)))
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.NotNull(await console.Cluster.GetManifestAsync(app, "web"));
        Assert.Contains(app, await http.GetStringAsync("/api/apps"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CliTakesTheTokenFromTheEnvironmentAndDoesNotPrintIt()
    {
        const string token = "env-token-5f1c2b7a9d";
        await using var cli = RunningProcess.Start(RepoPaths.Cli, new[] { "console", "--etcd", console.EtcdServer.Endpoint, "--listen", "127.0.0.1:0" },
            new Dictionary<string, string> { [ConsoleCommand.TokenVariable] = token });

        var urlLine = await cli.LineAsync(l => l.StartsWith("Dokkaa console on ", StringComparison.Ordinal), Limit);
        await cli.LineAsync(l => l == "Token for changes: as configured", Limit);
        Assert.DoesNotContain(token, cli.Output, StringComparison.Ordinal);

        using var http = new HttpClient { BaseAddress = new Uri(urlLine["Dokkaa console on ".Length..].Split(' ')[0]) };
        var app = ClusterWriter.NewName();
        using var created = await http.SendAsync(ConsoleFixture.Request(HttpMethod.Put, ConsoleFixture.ManifestPath(app, "web"), """{"image":"dockerfile/nginx"}""", token: token));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
    }
}
