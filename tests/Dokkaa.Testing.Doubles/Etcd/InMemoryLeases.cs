using Dokkaa.Core.Etcd;

namespace Dokkaa.Testing.Etcd;

/// <summary>
/// The lease table of <see cref="InMemoryEtcd"/>: TTLs, deadlines and the keys attached to each lease.
/// Not thread-safe: the owner calls it under its lock. Times are UTC ticks.
/// </summary>
internal sealed class InMemoryLeases
{
    /// <summary>
    /// IDs start above 2^53 like etcd's (random 63-bit) ones do, so that code which pushes a lease ID
    /// through a double or a JavaScript number breaks in unit tests rather than in production.
    /// </summary>
    private const long FirstId = 0x694D_0000_0000_0000;

    private readonly Dictionary<long, Entry> _leases = [];

    /// <summary>Deadlines, possibly stale: a renewal does not touch the queue; a popped entry is checked against its lease.</summary>
    private readonly PriorityQueue<long, long> _deadlines = new();

    private long _lastId = FirstId;

    public int Count => _leases.Count;

    public long Grant(long ttlSeconds, long now)
    {
        var id = ++_lastId;
        var entry = new Entry(ttlSeconds, now + (ttlSeconds * TimeSpan.TicksPerSecond));
        _leases.Add(id, entry);
        _deadlines.Enqueue(id, entry.ExpiresAt);
        return id;
    }

    public bool Exists(long id) => _leases.ContainsKey(id);

    /// <summary>Pushes the deadline a full TTL ahead. Returns the TTL, or 0 when the lease is gone or already past its deadline.</summary>
    public long Renew(long id, long now)
    {
        if (!_leases.TryGetValue(id, out var entry) || entry.ExpiresAt <= now)
            return 0;
        entry.ExpiresAt = now + (entry.TtlSeconds * TimeSpan.TicksPerSecond);
        return entry.TtlSeconds;
    }

    /// <summary>The TTL left (whole seconds, rounded up as etcd does) and granted, or null when the lease is gone or past its deadline.</summary>
    public LeaseTimeToLive? TimeToLive(long id, long now)
    {
        if (!_leases.TryGetValue(id, out var entry) || entry.ExpiresAt <= now)
            return null;
        var remaining = (entry.ExpiresAt - now + TimeSpan.TicksPerSecond - 1) / TimeSpan.TicksPerSecond;
        return new LeaseTimeToLive(remaining, entry.TtlSeconds);
    }

    /// <summary>Removes a lease and returns its keys in key order (etcd deletes them sorted), or null when it did not exist.</summary>
    public string[]? Remove(long id)
    {
        if (!_leases.Remove(id, out var entry))
            return null;
        var keys = entry.Keys.ToArray();
        Array.Sort(keys, Utf8Order.Instance);
        return keys;
    }

    public void Attach(long id, string key) => _leases[id].Keys.Add(key);

    public void Detach(long id, string key)
    {
        if (_leases.TryGetValue(id, out var entry))
            entry.Keys.Remove(key);
    }

    /// <summary>The IDs of leases whose deadline has passed, earliest first. They stay in the table until removed.</summary>
    public List<long> Due(long now)
    {
        var due = new List<long>();
        while (_deadlines.TryPeek(out var id, out var deadline) && deadline <= now)
        {
            _deadlines.Dequeue();
            if (!_leases.TryGetValue(id, out var entry))
                continue;
            if (entry.ExpiresAt <= now)
                due.Add(id);
            else
                _deadlines.Enqueue(id, entry.ExpiresAt);
        }

        return due;
    }

    /// <summary>The earliest deadline in the queue (it may be stale, that is, earlier than the real one), or null.</summary>
    public long? NextDeadline => _deadlines.TryPeek(out _, out var deadline) ? deadline : null;

    private sealed class Entry(long ttlSeconds, long expiresAt)
    {
        public long TtlSeconds { get; } = ttlSeconds;

        public long ExpiresAt { get; set; } = expiresAt;

        public HashSet<string> Keys { get; } = new(StringComparer.Ordinal);
    }
}
