namespace Dokkaa.Dns.Limits;

/// <summary>What to send a client for one UDP query, by <see cref="ResponseRateLimiter"/>.</summary>
internal enum RateLimitVerdict
{
    /// <summary>An exempt client: answer as usual.</summary>
    Exempt,
    /// <summary>Within its prefix's rate: answer, over UDP at most <see cref="DnsRateLimitOptions.UdpPayloadLimit"/> bytes.</summary>
    Answer,
    /// <summary>Limited, but answer with header and question and the TC bit, no larger than the query: a real client retries over TCP.</summary>
    Slip,
    /// <summary>Limited: send nothing.</summary>
    Drop,
}
