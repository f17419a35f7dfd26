using System.Net;
using System.Net.Sockets;
using Dokkaa.Dns.Limits;
using Xunit;

namespace Dokkaa.Dns.Tests.Limits;

/// <summary>Who may open another TCP connection (the sockets are never connected: the table only holds them).</summary>
public sealed class TcpConnectionTableTests : IDisposable
{
    private readonly List<Socket> _sockets = new();

    private TcpConnection Connection(string source, long idleSince)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _sockets.Add(socket);
        return new TcpConnection(socket, TcpConnectionTable.SourceOf(IPAddress.Parse(source)), idleSince);
    }

    public void Dispose() => _sockets.ForEach(s => s.Dispose());

    [Fact]
    public void ASourceHoldsItsShareAndNoMore()
    {
        var table = new TcpConnectionTable(max: 10, maxPerSource: 2);
        Assert.Equal(TcpAdmission.Admitted, table.TryAdmit(Connection("192.0.2.1", 0), out _));
        var second = Connection("192.0.2.1", 0);
        Assert.Equal(TcpAdmission.Admitted, table.TryAdmit(second, out _));
        Assert.Equal(TcpAdmission.SourceLimit, table.TryAdmit(Connection("192.0.2.1", 0), out _));
        Assert.Equal(TcpAdmission.Admitted, table.TryAdmit(Connection("192.0.2.2", 0), out _));
        table.Remove(second);
        Assert.Equal(TcpAdmission.Admitted, table.TryAdmit(Connection("192.0.2.1", 0), out _));
    }

    [Fact]
    public void AnIPv6SourceIsItsSlash64()
    {
        var table = new TcpConnectionTable(max: 10, maxPerSource: 1);
        Assert.Equal(TcpAdmission.Admitted, table.TryAdmit(Connection("2001:db8:0:1::1", 0), out _));
        Assert.Equal(TcpAdmission.SourceLimit, table.TryAdmit(Connection("2001:db8:0:1:ffff::2", 0), out _));
        Assert.Equal(TcpAdmission.Admitted, table.TryAdmit(Connection("2001:db8:0:2::1", 0), out _));
    }

    [Fact]
    public void AFullTableGivesUpItsLongestIdleConnectionAndRefusesOnlyWhenAllAreBusy()
    {
        var table = new TcpConnectionTable(max: 3, maxPerSource: 3);
        var recent = Connection("192.0.2.1", 200);
        var oldest = Connection("192.0.2.1", 100);
        var busy = Connection("192.0.2.2", 0);
        busy.MarkBusy();
        foreach (var connection in new[] { recent, oldest, busy })
            Assert.Equal(TcpAdmission.Admitted, table.TryAdmit(connection, out _));

        Assert.Equal(TcpAdmission.Admitted, table.TryAdmit(Connection("192.0.2.3", 300), out var evicted));
        Assert.Same(oldest, evicted);
        Assert.Equal(3, table.Count);

        recent.MarkBusy();
        var newest = table.Snapshot().Single(c => c.Source == TcpConnectionTable.SourceOf(IPAddress.Parse("192.0.2.3")));
        newest.MarkBusy();
        Assert.Equal(TcpAdmission.Full, table.TryAdmit(Connection("192.0.2.4", 400), out evicted));
        Assert.Null(evicted);
    }
}
