using System.Net;
using System.Net.Sockets;
using Dokkaa.Dns.Tests.Support;
using Xunit;
using static Dokkaa.Dns.Tests.Support.TestSockets;

namespace Dokkaa.Dns.Tests;

/// <summary>
/// Issue 13, item 9: TCP connections are shared out fairly. Clients on distinct loopback addresses stand for
/// distinct hosts; each "hog" opens connections, asks one query on each and keeps every one that was answered.
/// </summary>
public sealed class TcpFairnessTests
{
    private static readonly IPAddress Hog = IPAddress.Parse("127.0.0.1");
    private static readonly byte[] Query = TestQuery.Build("1.web.service.container", TestQuery.A);

    /// <summary>Opens <paramref name="count"/> connections from <paramref name="source"/>; returns those the server answered on (still open).</summary>
    private static async Task<List<Socket>> HoldConnectionsAsync(IPEndPoint server, IPAddress source, int count)
    {
        var held = new List<Socket>();
        for (var i = 0; i < count; i++)
        {
            var socket = await ConnectTcpAsync(server, source);
            await socket.SendAsync(Frame(Query));
            if (await ReadFramedAsync(socket) is not null)
                held.Add(socket);
            else
                socket.Dispose();
        }

        return held;
    }

    private static async Task<int> AnsweredOverTcpAsync(IPEndPoint server, IPAddress source, int queries)
    {
        var answered = 0;
        for (var i = 0; i < queries; i++)
        {
            if (await TcpAsync(server, Query, source) is { Answers.Count: 1 })
                answered++;
        }

        return answered;
    }

    [Fact]
    public async Task OneClientHoldingConnectionsDoesNotLockOthersOut()
    {
        // The default limits; the idle timeout is long so that the hog's connections are still held when the others ask.
        var options = new DnsServerOptions { Listen = RunningServer.Loopback, TcpIdleTimeout = TimeSpan.FromMinutes(5) };
        await using var dns = RunningServer.Start(Clusters.Example(), options);
        var held = await HoldConnectionsAsync(dns.EndPoint, Hog, options.MaxTcpConnections + 44);
        try
        {
            Assert.Equal(25, await AnsweredOverTcpAsync(dns.EndPoint, IPAddress.Parse("127.0.0.2"), 25));
            var dig = await DigTool.DigAsync(dns.EndPoint, "+tcp", "-b", "127.0.0.3", "1.web.service.container", "A");
            Assert.Equal(["1.web.service.container. 5 IN A 192.168.1.10"], dig.Answer);
            Assert.True(dns.Server.Counters.TcpRefused > 0, $"the hog was refused nothing: {dns.Server.Counters}");
            // UDP is not touched by any of this, for the hog either.
            Assert.Single((await UdpAsync(dns.EndPoint, Query, Hog)).Answers);
        }
        finally
        {
            held.ForEach(s => s.Dispose());
        }
    }

    [Fact]
    public async Task ClientsFillingEveryConnectionFromManySourcesStillLeaveRoomForANewOne()
    {
        var options = new DnsServerOptions { Listen = RunningServer.Loopback, TcpIdleTimeout = TimeSpan.FromMinutes(5), MaxTcpConnections = 8, MaxTcpConnectionsPerSource = 4 };
        await using var dns = RunningServer.Start(Clusters.Example(), options);
        var held = new List<Socket>();
        try
        {
            // Three sources, each up to its share: 12 connections wanted, 8 slots.
            for (var source = 1; source <= 3; source++)
                held.AddRange(await HoldConnectionsAsync(dns.EndPoint, IPAddress.Parse($"127.0.1.{source}"), options.MaxTcpConnectionsPerSource));
            Assert.Equal(5, await AnsweredOverTcpAsync(dns.EndPoint, IPAddress.Parse("127.0.2.1"), 5));
            Assert.True(dns.Server.Counters.TcpEvicted > 0, $"no idle connection was closed to make room: {dns.Server.Counters}");
        }
        finally
        {
            held.ForEach(s => s.Dispose());
        }
    }

    [Fact]
    public async Task SlowSenderIsDisconnectedAfterTheQueryTimeoutNotTheIdleTimeout()
    {
        var options = new DnsServerOptions { Listen = RunningServer.Loopback, TcpIdleTimeout = TimeSpan.FromMinutes(5), TcpQueryTimeout = TimeSpan.FromMilliseconds(300) };
        await using var dns = RunningServer.Start(Clusters.Example(), options);
        using var slow = await ConnectTcpAsync(dns.EndPoint);
        // The length prefix and two bytes of the query, then nothing: the server must not wait 5 minutes.
        await slow.SendAsync(Frame(Query)[..4]);
        Assert.Null(await ReadFramedAsync(slow));
        Assert.Equal(1, dns.Server.Counters.TcpSlowClosed);

        // A client that sends whole queries is served as before, and may wait between them.
        using var healthy = await ConnectTcpAsync(dns.EndPoint);
        await healthy.SendAsync(Frame(Query));
        Assert.Single((await ReadFramedAsync(healthy))!.Answers);
    }
}
