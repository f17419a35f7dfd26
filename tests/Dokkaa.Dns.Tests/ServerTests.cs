using System.Net;
using System.Net.Sockets;
using Dokkaa.Core.Cluster;
using Dokkaa.Dns.Tests.Support;
using Xunit;
using static Dokkaa.Dns.Tests.Support.TestSockets;

namespace Dokkaa.Dns.Tests;

/// <summary>The socket side of <see cref="DnsServer"/>: lifecycle, TCP framing, bad packets, load.</summary>
public sealed class ServerTests
{
    [Fact]
    public async Task TcpConnectionCarriesSeveralPipelinedQueriesAnsweredInOrder()
    {
        await using var dns = RunningServer.Start(Clusters.Example());
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(dns.EndPoint);
        // Three queries in one write, the last split across two writes.
        var third = Frame(TestQuery.Build("nothing.container", TestQuery.A, id: 3));
        await client.SendAsync(Frame(TestQuery.Build("1.web.service.container", TestQuery.A, id: 1))
            .Concat(Frame(TestQuery.Build("80.tcp.1.web.service.container", TestQuery.Srv, id: 2)))
            .Concat(third[..5])
            .ToArray());
        await client.SendAsync(third[5..]);

        var first = await ReadFramedAsync(client);
        var second = await ReadFramedAsync(client);
        var last = await ReadFramedAsync(client);
        Assert.Equal((1, "192.168.1.10"), (first!.Id, first.Answers.Single().Data));
        Assert.Equal((2, "0 0 49169 1.web.service.container."), (second!.Id, second.Answers.Single().Data));
        Assert.Equal((3, 3), (last!.Id, last.Rcode));
        Assert.Equal(1, dns.Server.Counters.TcpConnections);
    }

    [Fact]
    public async Task MalformedQueryOverTcpGetsFormerrAndTheConnectionStaysUsable()
    {
        await using var dns = RunningServer.Start(Clusters.Example());
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(dns.EndPoint);
        await client.SendAsync(Frame(Ask.Hex("abcd 0100 0001 0000 0000 0000 c00c 0001 0001")));
        var formerr = await ReadFramedAsync(client);
        Assert.Equal((0xabcd, 1), (formerr!.Id, formerr.Rcode));
        await client.SendAsync(Frame(TestQuery.Build("1.web.service.container", TestQuery.A)));
        Assert.Single((await ReadFramedAsync(client))!.Answers);
    }

    [Fact]
    public async Task IdleTcpConnectionIsClosed()
    {
        await using var dns = RunningServer.Start(Clusters.Example(), tcpIdleTimeout: TimeSpan.FromMilliseconds(200));
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(dns.EndPoint);
        // Not a byte: the server gives up and closes.
        Assert.Null(await ReadFramedAsync(client));
    }

    [Fact]
    public async Task UdpGarbageIsSurvivedAndCounted()
    {
        await using var dns = RunningServer.Start(Clusters.Example());
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        await client.ConnectAsync(dns.EndPoint);
        await client.SendAsync(new byte[] { 1, 2, 3 }); // dropped: no header
        await client.SendAsync(Ask.Hex("1234 8180 0001 0000 0000 0000")); // dropped: a response
        var formerr = await UdpAsync(dns.EndPoint, Ask.Hex("1234 0100 0001 0000 0000 0000 41"));
        Assert.Equal(1, formerr.Rcode);
        Assert.Single((await UdpAsync(dns.EndPoint, TestQuery.Build("1.web.service.container", TestQuery.A))).Answers);

        var counters = dns.Server.Counters;
        Assert.Equal(4, counters.UdpQueries);
        Assert.Equal(2, counters.Dropped);
        Assert.Equal(1, counters.FormErr);
        Assert.Equal(1, counters.NoError);
        Assert.Equal(2, counters.Responses);
    }

    [Fact]
    public async Task AFailingStateSourceGivesServfailNotSilence()
    {
        var options = new DnsServerOptions { Listen = [new IPEndPoint(IPAddress.Loopback, 0)] };
        await using var server = new DnsServer(options, () => throw new InvalidOperationException("view not loaded"));
        server.Start();
        var message = await UdpAsync(server.LocalEndpoints[0], TestQuery.Build("1.web.service.container", TestQuery.A, ednsPayload: 1232));
        Assert.Equal(2, message.Rcode);
        Assert.Single(message.Questions);
        Assert.NotNull(message.Opt);
    }

    [Fact]
    public async Task ManyConcurrentClientsAllGetTheirAnswer()
    {
        await using var dns = RunningServer.Start(Clusters.Many(100));
        // 50 clients in flight at a time: a UDP server drops what overflows its socket buffer, and how big
        // that may be is the host's setting (net.core.rmem_max), not the server's.
        using var inFlight = new SemaphoreSlim(50);
        var queries = Enumerable.Range(1, 400).Select(async i =>
        {
            await inFlight.WaitAsync();
            try
            {
                var message = await UdpAsync(dns.EndPoint, TestQuery.Build($"{1 + (i % 100)}.big.app.container", TestQuery.A, id: (ushort)i));
                Assert.Equal(i, message.Id);
                return message.Answers.Single().Data;
            }
            finally
            {
                inFlight.Release();
            }
        });
        var answers = await Task.WhenAll(queries);
        Assert.Equal(100, answers.Distinct().Count());
    }

    [Fact]
    public async Task StopReleasesThePortsAndClosesConnections()
    {
        var dns = RunningServer.Start(Clusters.Example(), new DnsServerOptions { Listen = RunningServer.Loopback });
        var server = dns.Server;
        var endpoint = server.LocalEndpoints[0];
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(endpoint);
        await client.SendAsync(Frame(TestQuery.Build("1.web.service.container", TestQuery.A)));
        Assert.NotNull(await ReadFramedAsync(client));

        await server.StopAsync();
        Assert.Null(await ReadFramedAsync(client));

        // The same port can be bound again, UDP and TCP.
        await using var again = new DnsServer(new DnsServerOptions { Listen = [endpoint] }, Clusters.Example);
        again.Start();
        Assert.Equal(endpoint, again.LocalEndpoints[0]);
        await dns.DisposeAsync();
    }

    [Fact]
    public async Task StartFailsCleanlyWhenAPortIsTaken()
    {
        await using var first = RunningServer.Start(Clusters.Example());
        // The second endpoint is taken: the first one, bound already, must be released again.
        using var free = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        free.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var freePort = ((IPEndPoint)free.LocalEndPoint!).Port;
        free.Dispose();

        var options = new DnsServerOptions { Listen = [new IPEndPoint(IPAddress.Loopback, freePort), first.EndPoint] };
        await using var second = new DnsServer(options, Clusters.Example);
        Assert.Throws<SocketException>(second.Start);
        Assert.Throws<InvalidOperationException>(second.Start);

        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, freePort));
    }

    [Fact]
    public async Task SeveralListenEndpointsAllAnswer()
    {
        var options = new DnsServerOptions { Listen = [new IPEndPoint(IPAddress.Loopback, 0), new IPEndPoint(IPAddress.Parse("127.0.0.2"), 0)] };
        await using var dns = RunningServer.Start(Clusters.Example(), options);
        var server = dns.Server;
        Assert.Equal(2, server.LocalEndpoints.Count);
        foreach (var endpoint in server.LocalEndpoints)
            Assert.Single((await UdpAsync(endpoint, TestQuery.Build("1.web.service.container", TestQuery.A))).Answers);
    }

    [Fact]
    public void InvalidOptionsAreRejectedAtConstruction()
    {
        Assert.Throws<ArgumentException>(() => new DnsServer(new DnsServerOptions { Zone = "" }, () => ClusterState.Empty));
        Assert.Throws<ArgumentException>(() => new DnsServer(new DnsServerOptions { Zone = "a..b" }, () => ClusterState.Empty));
        Assert.Throws<ArgumentException>(() => new DnsServer(new DnsServerOptions { Listen = [] }, () => ClusterState.Empty));
        Assert.Throws<ArgumentException>(() => new DnsServer(new DnsServerOptions { MaxUdpPayload = 100 }, () => ClusterState.Empty));
        Assert.Throws<ArgumentException>(() => new DnsServer(new DnsServerOptions { Ttl = TimeSpan.FromSeconds(-1) }, () => ClusterState.Empty));
    }

    [Theory]
    [InlineData("127.0.0.1:53", "127.0.0.1:53")]
    [InlineData("172.17.0.1", "172.17.0.1:53")]
    [InlineData("[::1]:5353", "[::1]:5353")]
    [InlineData("::1", "[::1]:53")]
    [InlineData("0.0.0.0:0", "0.0.0.0:0")]
    public void EndpointsParseLikeTheAgentFlags(string text, string expected)
    {
        Assert.Equal(expected, DnsServerOptions.ParseEndpoint(text).ToString());
    }

    [Fact]
    public void EndpointThatIsNotAnAddressIsRejected()
    {
        Assert.Throws<FormatException>(() => DnsServerOptions.ParseEndpoint("localhost:53"));
    }
}
