using System.Net;
using System.Net.Sockets;
using Dokkaa.Dns.Limits;
using Dokkaa.Dns.Tests.Support;
using Dokkaa.Testing;
using Microsoft.Extensions.Time.Testing;
using Xunit;
using static Dokkaa.Dns.Tests.Support.TestSockets;

namespace Dokkaa.Dns.Tests;

/// <summary>
/// Issue 13, item 12: UDP response-rate limiting per client prefix, over real sockets on loopback. The
/// server's clock is a manual one that the test moves, so the buckets refill only when the test says.
/// </summary>
public sealed class RateLimitTests
{
    private static readonly IPAddress Flooder = IPAddress.Parse("127.0.0.1");
    private static readonly IPAddress OtherPrefix = IPAddress.Parse("127.0.1.1");

    private static RunningServer Start(DnsRateLimitOptions rateLimit, FakeTimeProvider clock) =>
        RunningServer.Start(Clusters.Example(), new DnsServerOptions { Listen = RunningServer.Loopback, RateLimit = rateLimit }, clock);

    private static async Task<Socket> ClientAsync(RunningServer server, IPAddress source)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.ReceiveBufferSize = 1 << 20;
        socket.Bind(new IPEndPoint(source, 0));
        await socket.ConnectAsync(server.EndPoint);
        return socket;
    }

    /// <summary>Sends <paramref name="count"/> queries and waits until the server has answered or dropped each; returns the counters then.</summary>
    private static async Task<DnsServerCounters> SendAsync(RunningServer server, Socket socket, int count)
    {
        var before = server.Server.Counters;
        for (var i = 0; i < count; i++)
            await socket.SendAsync(TestQuery.Build("1.web.service.container", TestQuery.A, id: (ushort)i, ednsPayload: 1232));
        return await Poll.UntilAsync(
            () => Task.FromResult(server.Server.Counters),
            c => c.Responses - before.Responses + (c.RateLimited - c.RateLimitSlipped) - (before.RateLimited - before.RateLimitSlipped) == count,
            $"the server to answer or drop {count} queries",
            TimeSpan.FromSeconds(30));
    }

    /// <summary>Sends <paramref name="count"/> queries from one socket and reads every answer the server sent.</summary>
    private static async Task<List<TestMessage>> FloodAsync(RunningServer server, IPAddress source, int count)
    {
        using var socket = await ClientAsync(server, source);
        var before = server.Server.Counters;
        // Read while sending: a socket buffer may hold fewer answers than a flood brings (net.core.rmem_max).
        var answers = new List<byte[]>();
        using var stopReading = new CancellationTokenSource();
        var reader = Task.Run(async () =>
        {
            var buffer = new byte[65535];
            try
            {
                while (true)
                {
                    var received = await socket.ReceiveAsync(buffer, SocketFlags.None, stopReading.Token);
                    lock (answers)
                        answers.Add(buffer[..received]);
                }
            }
            catch (OperationCanceledException)
            {
            }
        });
        var after = await SendAsync(server, socket, count);
        // Every response the server sent has to arrive (the floods here are small enough for the socket buffer).
        var sent = after.Responses - before.Responses;
        await Poll.UntilAsync(
            () =>
            {
                lock (answers)
                    return answers.Count == sent;
            },
            $"{sent} answers to arrive",
            Patience);
        await stopReading.CancelAsync();
        await reader;
        // Decoded here rather than in the reader, so that a bad answer fails the test with its own message.
        foreach (var answer in answers)
            RunningServer.Check(server.EndPoint, answer, DnsTransport.Udp);
        return answers.Select(a => TestMessage.Parse(a)).ToList();
    }

    [Fact]
    public async Task UdpFloodFromOnePrefixIsLimitedWithSlipWhileAnotherPrefixIsAnswered()
    {
        var clock = new FakeTimeProvider();
        await using var server = Start(new DnsRateLimitOptions { ResponsesPerSecond = 10, Burst = 20, Slip = 2, Exempt = [] }, clock);

        var flood = await FloodAsync(server, Flooder, 200);

        // The burst is answered in full; of the 180 over it every second one gets a truncated answer, the rest nothing.
        var full = flood.Where(m => !m.Tc).ToList();
        var slipped = flood.Where(m => m.Tc).ToList();
        Assert.Equal(20, full.Count);
        Assert.All(full, m => Assert.Single(m.Answers));
        Assert.Equal(90, slipped.Count);
        Assert.All(slipped, m => Assert.Equal((0, 0, 0, "1.web.service.container."), (m.Answers.Count, m.Authority.Count, m.Additional.Count(r => r.Type != 41), m.Questions.Single().Name)));
        var counters = server.Server.Counters;
        Assert.Equal((180, 90), (counters.RateLimited, counters.RateLimitSlipped));

        // Another /24 has its own bucket; the limited one is answered over TCP (the slip's promise) ...
        Assert.Single((await UdpAsync(server.EndPoint, TestQuery.Build("1.web.service.container", TestQuery.A), OtherPrefix)).Answers);
        Assert.Single((await TcpAsync(server.EndPoint, TestQuery.Build("1.web.service.container", TestQuery.A), Flooder))!.Answers);

        // ... and over UDP again once its bucket has refilled (10 per second).
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(10, (await FloodAsync(server, Flooder, 30)).Count(m => !m.Tc));
    }

    [Fact]
    public async Task DigSeesTheSlipAndGetsItsAnswerOverTcp()
    {
        var clock = new FakeTimeProvider();
        await using var server = Start(new DnsRateLimitOptions { ResponsesPerSecond = 1, Burst = 1, Slip = 1, Exempt = [] }, clock);
        Assert.Single((await FloodAsync(server, Flooder, 1)).Single().Answers);

        var truncated = await DigTool.DigAsync(server.EndPoint, "+ignore", "1.web.service.container", "A");
        Assert.Contains("tc", truncated.Flags);
        Assert.Empty(truncated.Answer);
        // dig retries over TCP on TC by default, and TCP is not rate limited.
        var retried = await DigTool.DigAsync(server.EndPoint, "1.web.service.container", "A");
        Assert.Equal(["1.web.service.container. 5 IN A 192.168.1.10"], retried.Answer);
        Assert.Equal(2, server.Server.Counters.RateLimitSlipped);
    }

    [Fact]
    public async Task DefaultsNeverLimitLoopback()
    {
        var clock = new FakeTimeProvider();
        await using var server = Start(new DnsRateLimitOptions(), clock);
        using var socket = await ClientAsync(server, Flooder);
        // Twice the burst with the clock standing still: a bucket would run dry. Counted at the server, as
        // not every one of 2,000 answers need fit the client's socket buffer.
        var counters = await SendAsync(server, socket, new DnsRateLimitOptions().Burst * 2);
        Assert.Equal((2000, 0, 0), (counters.NoError, counters.RateLimited, counters.Truncated));
    }

    [Fact]
    public async Task ALargeUdpAnswerIsTruncatedForAClientThatIsNotExemptAndSentInFullToOneThatIs()
    {
        // SRV of 20 instances with their addresses: 1,164 bytes for a 53-byte query (22x), the figure.
        var state = Clusters.Many(20);
        var query = TestQuery.Build("_http._tcp.app.container", TestQuery.Srv, ednsPayload: 4096);
        var exempt = new DnsRateLimitOptions { Exempt = [IPNetwork.Parse("127.0.0.0/24")] };
        await using var dns = RunningServer.Start(state, new DnsServerOptions { Listen = RunningServer.Loopback, RateLimit = exempt });

        var remote = await UdpAsync(dns.EndPoint, query, OtherPrefix);
        Assert.Equal((true, 0), (remote.Tc, remote.Answers.Count));
        Assert.Equal(20, (await TcpAsync(dns.EndPoint, query, OtherPrefix))!.Answers.Count);
        var local = await UdpAsync(dns.EndPoint, query, Flooder);
        Assert.Equal((false, 20), (local.Tc, local.Answers.Count));
    }

    [Fact]
    public async Task AnyOverUdpIsTruncatedSoItCannotAmplifyAndIsAnsweredOverTcp()
    {
        await using var dns = RunningServer.Start(Clusters.Example());
        var query = TestQuery.Build("container", TestQuery.Any, ednsPayload: 4096);
        var udp = await UdpAsync(dns.EndPoint, query);
        Assert.True(udp.Tc);
        Assert.Empty(udp.Answers);
        Assert.Empty(udp.Authority);
        Assert.Equal([41], udp.Additional.Select(r => r.Type).ToArray());
        var tcp = await TcpAsync(dns.EndPoint, query);
        Assert.Equal([TestQuery.Soa, TestQuery.Ns], tcp!.Answers.Select(a => a.Type).ToArray());
    }
}
