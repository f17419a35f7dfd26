namespace Dokkaa.Dns;

/// <summary>Response codes (RFC 1035 4.1.1, RFC 6891 9 for the extended BADVERS).</summary>
public enum DnsResponseCode
{
    NoError = 0,
    FormErr = 1,
    ServFail = 2,
    NxDomain = 3,
    NotImp = 4,
    Refused = 5,
    /// <summary>Extended RCODE 16: the query's EDNS version is not supported (carried in the OPT record).</summary>
    BadVers = 16,
}

/// <summary>How a query arrived; decides the size limit of the response.</summary>
public enum DnsTransport
{
    /// <summary>512 bytes, or the client's EDNS0 payload size up to the server's maximum; TC when larger.</summary>
    Udp,
    /// <summary>Up to 65535 bytes (RFC 1035 4.2.2 length framing).</summary>
    Tcp,
}

/// <summary>What the caller of <see cref="DnsResolverCore.Answer"/> should do next.</summary>
public enum DnsAnswerAction
{
    /// <summary>Send the response written into the buffer.</summary>
    Respond,
    /// <summary>Send nothing: too short to carry an id, or a response rather than a query.</summary>
    Drop,
    /// <summary>The name is outside the zone and upstreams are configured: forward the query.</summary>
    Forward,
}

/// <summary>The outcome of answering one query.</summary>
/// <param name="Action">Respond, drop, or forward.</param>
/// <param name="Length">Bytes of response written (0 unless <see cref="DnsAnswerAction.Respond"/>).</param>
/// <param name="ResponseCode">The RCODE of the response (NoError for drop and forward).</param>
/// <param name="Truncated">The TC bit is set: the answer did not fit and the client should retry over TCP.</param>
public readonly record struct DnsAnswer(DnsAnswerAction Action, int Length, DnsResponseCode ResponseCode, bool Truncated)
{
    internal static readonly DnsAnswer Dropped = new(DnsAnswerAction.Drop, 0, DnsResponseCode.NoError, false);

    internal static readonly DnsAnswer Forwarded = new(DnsAnswerAction.Forward, 0, DnsResponseCode.NoError, false);
}
