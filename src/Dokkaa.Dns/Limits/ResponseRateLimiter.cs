namespace Dokkaa.Dns.Limits;

/// <summary>
/// The token buckets of <see cref="DnsRateLimitOptions"/>: one per client prefix, refilled at the rate up to
/// the burst, one token per UDP query. Buckets live in a fixed table indexed by a hash of the prefix (seeded
/// per process, so a sender cannot pick colliding prefixes): a bucket that has refilled completely is idle
/// and goes to the next prefix that hashes to it; otherwise colliding prefixes share it. Memory stays fixed
/// however many prefixes a forged flood uses. Safe to call from several receive threads.
/// </summary>
internal sealed class ResponseRateLimiter
{
    private const int LockStripes = 64;

    private readonly DnsRateLimitOptions _options;
    private readonly TimeProvider _clock;
    private readonly (SourceAddress Network, int Length)[] _exempt;
    private readonly Bucket[] _buckets;
    private readonly object[] _locks = new object[LockStripes];
    private readonly double _perTick;

    public ResponseRateLimiter(DnsRateLimitOptions options, TimeProvider clock)
    {
        options.Validate();
        _options = options;
        _clock = clock;
        _exempt = options.Exempt.Select(n => (SourceAddress.From(n.BaseAddress), n.PrefixLength)).ToArray();
        _buckets = new Bucket[options.Buckets];
        for (var i = 0; i < _locks.Length; i++)
            _locks[i] = new object();
        _perTick = (double)options.ResponsesPerSecond / clock.TimestampFrequency;
    }

    /// <summary>Spends a token of <paramref name="source"/>'s prefix; when there is none, says whether to slip or drop.</summary>
    /// <param name="limitedPrefix">The prefix, when it was limited (for the log).</param>
    public RateLimitVerdict Check(SourceAddress source, out SourceAddress limitedPrefix)
    {
        limitedPrefix = default;
        if (IsExempt(source))
            return RateLimitVerdict.Exempt;

        var prefix = source.Prefix(_options.IPv4PrefixLength, _options.IPv6PrefixLength);
        var index = HashCode.Combine(prefix) & (_buckets.Length - 1);
        var now = _clock.GetTimestamp();
        lock (_locks[index % LockStripes])
        {
            ref var bucket = ref _buckets[index];
            var tokens = bucket.Used ? Math.Min(_options.Burst, bucket.Tokens + ((now - bucket.Stamp) * _perTick)) : _options.Burst;
            if (!bucket.Used || (bucket.Prefix != prefix && tokens >= _options.Burst))
            {
                bucket = new Bucket { Used = true, Prefix = prefix };
                tokens = _options.Burst;
            }

            bucket.Stamp = now;
            if (tokens >= 1)
            {
                bucket.Tokens = tokens - 1;
                return RateLimitVerdict.Answer;
            }

            bucket.Tokens = tokens;
            limitedPrefix = bucket.Prefix;
            bucket.Limited++;
            return _options.Slip > 0 && bucket.Limited % _options.Slip == 0 ? RateLimitVerdict.Slip : RateLimitVerdict.Drop;
        }
    }

    private bool IsExempt(SourceAddress source)
    {
        foreach (var (network, length) in _exempt)
        {
            if (source.IsWithin(network, length))
                return true;
        }

        return false;
    }

    private struct Bucket
    {
        public bool Used;
        public SourceAddress Prefix;
        public double Tokens;
        public long Stamp;
        public long Limited;
    }
}
