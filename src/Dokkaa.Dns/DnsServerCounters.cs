namespace Dokkaa.Dns;

/// <summary>What a <see cref="DnsServer"/> has done since it started (a snapshot; counters only grow).</summary>
public sealed record DnsServerCounters
{
    public long UdpQueries { get; init; }
    public long TcpQueries { get; init; }
    public long TcpConnections { get; init; }
    /// <summary>Responses sent, whatever their code (forwarded ones included).</summary>
    public long Responses { get; init; }
    public long NoError { get; init; }
    public long NxDomain { get; init; }
    public long FormErr { get; init; }
    public long ServFail { get; init; }
    public long NotImp { get; init; }
    public long Refused { get; init; }
    /// <summary>Responses (all other codes) carrying an EDNS BADVERS.</summary>
    public long BadVers { get; init; }
    /// <summary>Responses sent with the TC bit because the answer did not fit the client's UDP size, or was ANY over UDP (rate-limit slips are counted in <see cref="RateLimitSlipped"/>).</summary>
    public long Truncated { get; init; }
    /// <summary>Packets answered with nothing: shorter than a header, or responses.</summary>
    public long Dropped { get; init; }
    /// <summary>Queries relayed to an upstream that answered.</summary>
    public long Forwarded { get; init; }
    /// <summary>Queries for which no upstream answered in time (answered SERVFAIL), or too many were in flight.</summary>
    public long ForwardFailures { get; init; }
    /// <summary>UDP queries over their prefix's response rate: dropped, or slipped (<see cref="RateLimitSlipped"/>).</summary>
    public long RateLimited { get; init; }
    /// <summary>Rate-limited UDP queries answered truncated (TC, no records) so that the client retries over TCP.</summary>
    public long RateLimitSlipped { get; init; }
    /// <summary>TCP connections closed at once: their source held its share, or every connection was busy.</summary>
    public long TcpRefused { get; init; }
    /// <summary>Idle TCP connections closed to make room for a new one.</summary>
    public long TcpEvicted { get; init; }
    /// <summary>TCP connections closed because a query (or the reading of its answer) took longer than the query timeout.</summary>
    public long TcpSlowClosed { get; init; }
}

/// <summary>The live counters behind <see cref="DnsServerCounters"/>.</summary>
internal sealed class DnsCounterSet
{
    private readonly long[] _byCode = new long[17];
    private long _udpQueries;
    private long _tcpQueries;
    private long _tcpConnections;
    private long _responses;
    private long _truncated;
    private long _dropped;
    private long _forwarded;
    private long _forwardFailures;
    private long _rateLimited;
    private long _rateLimitSlipped;
    private long _tcpRefused;
    private long _tcpEvicted;
    private long _tcpSlowClosed;

    public void UdpQuery() => Interlocked.Increment(ref _udpQueries);

    public void TcpQuery() => Interlocked.Increment(ref _tcpQueries);

    public void TcpConnection() => Interlocked.Increment(ref _tcpConnections);

    public void Forwarded() => Interlocked.Increment(ref _forwarded);

    public void ForwardFailure() => Interlocked.Increment(ref _forwardFailures);

    public void Dropped() => Interlocked.Increment(ref _dropped);

    public void RateLimited(bool slipped)
    {
        Interlocked.Increment(ref _rateLimited);
        if (slipped)
            Interlocked.Increment(ref _rateLimitSlipped);
    }

    public void TcpRefused() => Interlocked.Increment(ref _tcpRefused);

    public void TcpEvicted() => Interlocked.Increment(ref _tcpEvicted);

    public void TcpSlowClosed() => Interlocked.Increment(ref _tcpSlowClosed);

    public void Response(int rcode, bool truncated)
    {
        Interlocked.Increment(ref _responses);
        if ((uint)rcode < (uint)_byCode.Length)
            Interlocked.Increment(ref _byCode[rcode]);
        if (truncated)
            Interlocked.Increment(ref _truncated);
    }

    public DnsServerCounters Snapshot() => new()
    {
        UdpQueries = Volatile.Read(ref _udpQueries),
        TcpQueries = Volatile.Read(ref _tcpQueries),
        TcpConnections = Volatile.Read(ref _tcpConnections),
        Responses = Volatile.Read(ref _responses),
        NoError = Volatile.Read(ref _byCode[(int)DnsResponseCode.NoError]),
        NxDomain = Volatile.Read(ref _byCode[(int)DnsResponseCode.NxDomain]),
        FormErr = Volatile.Read(ref _byCode[(int)DnsResponseCode.FormErr]),
        ServFail = Volatile.Read(ref _byCode[(int)DnsResponseCode.ServFail]),
        NotImp = Volatile.Read(ref _byCode[(int)DnsResponseCode.NotImp]),
        Refused = Volatile.Read(ref _byCode[(int)DnsResponseCode.Refused]),
        BadVers = Volatile.Read(ref _byCode[(int)DnsResponseCode.BadVers]),
        Truncated = Volatile.Read(ref _truncated),
        Dropped = Volatile.Read(ref _dropped),
        Forwarded = Volatile.Read(ref _forwarded),
        ForwardFailures = Volatile.Read(ref _forwardFailures),
        RateLimited = Volatile.Read(ref _rateLimited),
        RateLimitSlipped = Volatile.Read(ref _rateLimitSlipped),
        TcpRefused = Volatile.Read(ref _tcpRefused),
        TcpEvicted = Volatile.Read(ref _tcpEvicted),
        TcpSlowClosed = Volatile.Read(ref _tcpSlowClosed),
    };
}
