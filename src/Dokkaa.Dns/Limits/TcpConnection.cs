using System.Net.Sockets;

namespace Dokkaa.Dns.Limits;

/// <summary>One accepted TCP client as <see cref="TcpConnectionTable"/> sees it: whose it is, and whether it is waiting between queries.</summary>
internal sealed class TcpConnection
{
    private const long Busy = long.MaxValue;

    private readonly TaskCompletionSource _served = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _idleSince;

    public TcpConnection(Socket socket, SourceAddress source, long now)
    {
        Socket = socket;
        Source = source;
        _idleSince = now;
    }

    public Socket Socket { get; }

    /// <summary>The client's address (IPv6: its /64), the key of the per-source limit.</summary>
    public SourceAddress Source { get; }

    /// <summary>Completes when the connection has been served and closed.</summary>
    public Task Served => _served.Task;

    /// <summary>When the connection began waiting for the first byte of a query; <see cref="long.MaxValue"/> while a query is read, answered or written.</summary>
    public long IdleSince => Volatile.Read(ref _idleSince);

    public void MarkIdle(long now) => Volatile.Write(ref _idleSince, now);

    public void MarkBusy() => Volatile.Write(ref _idleSince, Busy);

    public bool IsIdle => IdleSince != Busy;

    /// <summary>
    /// Ends the conversation with a FIN: the pending receive returns and the serving loop closes the socket
    /// itself (disposing it here, with a receive pending, would close with an RST instead).
    /// </summary>
    public void Close()
    {
        try
        {
            Socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
    }

    public void Done() => _served.TrySetResult();
}
