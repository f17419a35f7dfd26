using System.Net;
using System.Net.Sockets;
using Dokkaa.Dns.Tests.Support;
using Dokkaa.Dns.Zone;
using Xunit;

namespace Dokkaa.Dns.Tests;

/// <summary>Forwarding details below what dig can show: fitting upstream answers to the client, the in-flight limit.</summary>
public sealed class ForwardingTests
{
    [Fact]
    public void UpstreamAnswerTooBigForTheClientsUdpBecomesTruncated()
    {
        var query = TestQuery.Build("example.com", TestQuery.A, id: 0x0bad);
        // What the upstream sent over TCP after truncating over UDP: 60 A records.
        var upstream = new List<byte>(TestQuery.Build("example.com", TestQuery.A, id: 0x0bad));
        upstream[2] = 0x81;
        upstream[3] = 0x80;
        upstream[7] = 60;
        for (var i = 0; i < 60; i++)
            upstream.AddRange([0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, (byte)i]);

        var buffer = new byte[65535];
        var options = CompiledOptions.For(Ask.Forwarding);
        var udp = TestMessage.Parse(buffer.AsSpan(0, DnsResolverCore.FitForwarded(query, upstream.ToArray(), DnsTransport.Udp, options, buffer)));
        Assert.True(udp.Tc);
        Assert.Equal(0x0bad, udp.Id);
        Assert.Equal("example.com.", Assert.Single(udp.Questions).Name);
        Assert.Empty(udp.Answers);
        Assert.True(udp.Ra);

        var tcp = TestMessage.Parse(buffer.AsSpan(0, DnsResolverCore.FitForwarded(query, upstream.ToArray(), DnsTransport.Tcp, options, buffer)));
        Assert.Equal(60, tcp.Answers.Count);
    }

    [Fact]
    public async Task ForwardsBeyondTheLimitGetServfailAtOnce()
    {
        await using var dead = StubUpstream.Start(silent: true);
        var options = new DnsServerOptions
        {
            Listen = [new IPEndPoint(IPAddress.Loopback, 0)],
            Upstreams = [dead.EndPoint],
            UpstreamTimeout = TimeSpan.FromSeconds(30),
            MaxConcurrentForwards = 1,
        };
        await using var server = new DnsServer(options, Clusters.Example);
        server.Start();
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        await client.ConnectAsync(server.LocalEndpoints[0]);

        // The first is stuck waiting for the dead upstream; the second must not queue behind it.
        await client.SendAsync(TestQuery.Build("one.example", TestQuery.A, id: 1));
        await Dokkaa.Testing.Poll.UntilAsync(() => dead.UdpQueries == 1, "the first query to reach the upstream", TimeSpan.FromSeconds(10));
        await client.SendAsync(TestQuery.Build("two.example", TestQuery.A, id: 2));
        var buffer = new byte[512];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var received = await client.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
        var message = TestMessage.Parse(buffer.AsSpan(0, received));
        Assert.Equal((2, 2), (message.Id, message.Rcode));
        Assert.Equal(1, dead.UdpQueries);
        Assert.Equal(1, server.Counters.ForwardFailures);
    }
}
