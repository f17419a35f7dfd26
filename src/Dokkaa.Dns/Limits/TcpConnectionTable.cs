
namespace Dokkaa.Dns.Limits;

/// <summary>
/// The open TCP connections of a <see cref="DnsServer"/> and who may open another (RFC 7766 10: a server must
/// not let a few clients hold every connection). A source (an IPv4 address, an IPv6 /64) holds at most its
/// share; when the table is full, the connection that has waited longest for a query is closed to make room
/// (RFC 7766 6.2.3 lets a server close idle connections under pressure), so clients that open connections
/// and hold them cannot lock others out. Only when every connection is in the middle of a query is a new
/// one refused; a query must then complete within the query timeout, so that does not last.
/// </summary>
internal sealed class TcpConnectionTable
{
    /// <summary>An IPv6 host usually has a whole /64; counting its addresses one by one would not limit it.</summary>
    internal const int SourceV6PrefixLength = 64;

    private readonly object _gate = new();
    private readonly HashSet<TcpConnection> _open = new();
    private readonly Dictionary<SourceAddress, int> _perSource = new();
    private readonly int _max;
    private readonly int _maxPerSource;

    public TcpConnectionTable(int max, int maxPerSource)
    {
        _max = max;
        _maxPerSource = maxPerSource;
    }

    public int Count
    {
        get
        {
            lock (_gate)
                return _open.Count;
        }
    }

    public static SourceAddress SourceOf(System.Net.IPAddress address) => SourceAddress.From(address).Prefix(32, SourceV6PrefixLength);

    /// <summary>
    /// Admits <paramref name="connection"/>, or says why not. <paramref name="evicted"/> is an idle connection
    /// the caller must close to make room (it stays counted until it is <see cref="Remove"/>d).
    /// </summary>
    public TcpAdmission TryAdmit(TcpConnection connection, out TcpConnection? evicted)
    {
        evicted = null;
        lock (_gate)
        {
            _perSource.TryGetValue(connection.Source, out var held);
            if (held >= _maxPerSource)
                return TcpAdmission.SourceLimit;
            if (_open.Count >= _max)
            {
                evicted = LongestIdle();
                if (evicted is null)
                    return TcpAdmission.Full;
                // Counted out now, so the same idle connection is not chosen twice while it closes.
                Forget(evicted);
            }

            _open.Add(connection);
            _perSource[connection.Source] = held + 1;
            return TcpAdmission.Admitted;
        }
    }

    public void Remove(TcpConnection connection)
    {
        lock (_gate)
            Forget(connection);
    }

    public TcpConnection[] Snapshot()
    {
        lock (_gate)
            return _open.ToArray();
    }

    private void Forget(TcpConnection connection)
    {
        if (!_open.Remove(connection))
            return;
        if (_perSource[connection.Source] <= 1)
            _perSource.Remove(connection.Source);
        else
            _perSource[connection.Source]--;
    }

    private TcpConnection? LongestIdle()
    {
        TcpConnection? oldest = null;
        foreach (var candidate in _open)
        {
            if (candidate.IsIdle && (oldest is null || candidate.IdleSince < oldest.IdleSince))
                oldest = candidate;
        }

        return oldest;
    }
}
