using Dokkaa.Core.Etcd;

namespace Dokkaa.Testing.Etcd;

/// <summary>
/// The multi-version key space of <see cref="InMemoryEtcd"/>: the live keys in etcd's order, the store
/// revision, and a history of changes (each with the value it replaced) for watches from the past and
/// reads at an old revision. Not thread-safe: the owner calls it under its lock.
/// Writes happen between <see cref="BeginWrite"/> and <see cref="Commit"/> and all get the same revision.
/// </summary>
internal sealed class InMemoryKeyspace(InMemoryLeases leases)
{
    private readonly Dictionary<string, KeyValue> _live = new(StringComparer.Ordinal);
    private readonly SortedSet<string> _order = new(Utf8Order.Instance);
    private readonly List<Change> _history = [];
    private int _writeStart = -1;

    /// <summary>Like etcd, an empty store is at revision 1 and the first write makes revision 2.</summary>
    public long Revision { get; private set; } = 1;

    public long CompactRevision { get; private set; }

    public int KeyCount => _live.Count;

    private long WriteRevision => Revision + 1;

    public KeyValue? Get(string key) => _live.GetValueOrDefault(key);

    /// <summary>The live keys of a key or prefix, in key order. Materialised, so the caller may write while using it.</summary>
    public List<KeyValue> Range(string key, bool prefix)
    {
        if (!prefix)
            return _live.TryGetValue(key, out var kv) ? [kv] : [];
        var result = new List<KeyValue>();
        foreach (var k in KeysWithPrefix(key))
            result.Add(_live[k]);
        return result;
    }

    /// <summary>The keys as they were at <paramref name="revision"/>: the live ones with every later change undone.</summary>
    public List<KeyValue> RangeAt(string key, bool prefix, long revision)
    {
        if (revision <= 0 || revision >= Revision)
        {
            if (revision > Revision)
                throw new EtcdException("mvcc: required revision is a future revision", 11);
            return Range(key, prefix);
        }

        if (revision < CompactRevision)
            throw new EtcdException("mvcc: required revision has been compacted", 11);

        // Walking back from the newest change, the last assignment per key is the value it had at `revision`.
        var then = new Dictionary<string, KeyValue?>(StringComparer.Ordinal);
        for (var i = _history.Count - 1; i >= 0 && _history[i].Revision > revision; i--)
        {
            var change = _history[i];
            if (Matches(change.Event.Kv.Key, key, prefix))
                then[change.Event.Kv.Key] = change.Previous;
        }

        var result = new List<KeyValue>();
        foreach (var kv in Range(key, prefix))
        {
            if (!then.ContainsKey(kv.Key))
                result.Add(kv);
        }

        foreach (var (_, previous) in then)
        {
            if (previous is not null)
                result.Add(previous);
        }

        result.Sort((a, b) => Utf8Order.Instance.Compare(a.Key, b.Key));
        return result;
    }

    /// <summary>The changes from <paramref name="fromRevision"/> on that touch a key or prefix, oldest first.</summary>
    public IEnumerable<WatchEvent> ChangesSince(long fromRevision, string key, bool prefix)
    {
        for (var i = FirstChangeAtOrAfter(fromRevision); i < _history.Count; i++)
        {
            if (Matches(_history[i].Event.Kv.Key, key, prefix))
                yield return _history[i].Event;
        }
    }

    public void BeginWrite() => _writeStart = _history.Count;

    public KeyValue Put(string key, string value, long lease)
    {
        _live.TryGetValue(key, out var old);
        var kv = new KeyValue(key, value, old?.CreateRevision ?? WriteRevision, WriteRevision, (old?.Version ?? 0) + 1, lease);
        if (old is null)
            _order.Add(key);
        _live[key] = kv;
        var oldLease = old?.Lease ?? 0;
        if (oldLease != lease)
        {
            if (oldLease != 0)
                leases.Detach(oldLease, key);
            if (lease != 0)
                leases.Attach(lease, key);
        }

        _history.Add(new Change(WriteRevision, new WatchEvent(WatchEventType.Put, kv), old));
        return kv;
    }

    public long Delete(string key, bool prefix)
    {
        var doomed = Range(key, prefix);
        foreach (var kv in doomed)
            DeleteOne(kv);
        return doomed.Count;
    }

    public void DeleteKeys(IEnumerable<string> keys)
    {
        foreach (var key in keys)
        {
            if (_live.TryGetValue(key, out var kv))
                DeleteOne(kv);
        }
    }

    /// <summary>Ends a write. The revision moves only if something changed (etcd does not bump it for a no-op delete).</summary>
    public List<WatchEvent> Commit()
    {
        var events = new List<WatchEvent>(_history.Count - _writeStart);
        for (var i = _writeStart; i < _history.Count; i++)
            events.Add(_history[i].Event);
        if (events.Count > 0)
            Revision++;
        _writeStart = -1;
        return events;
    }

    /// <summary>Forgets the history before <paramref name="revision"/>; it stays readable and watchable from there on.</summary>
    public void Compact(long revision)
    {
        if (revision <= CompactRevision)
            throw new EtcdException("mvcc: required revision has been compacted", 11);
        if (revision > Revision)
            throw new EtcdException("mvcc: required revision is a future revision", 11);
        _history.RemoveRange(0, FirstChangeAtOrAfter(revision));
        CompactRevision = revision;
    }

    private void DeleteOne(KeyValue kv)
    {
        _live.Remove(kv.Key);
        _order.Remove(kv.Key);
        if (kv.Lease != 0)
            leases.Detach(kv.Lease, kv.Key);
        // What etcd sends for a delete: the key and the delete revision, nothing else.
        var tombstone = new KeyValue(kv.Key, "", 0, WriteRevision, 0, 0);
        _history.Add(new Change(WriteRevision, new WatchEvent(WatchEventType.Delete, tombstone), kv));
    }

    private IEnumerable<string> KeysWithPrefix(string prefix)
    {
        if (prefix.Length == 0)
            return _order;
        if (_order.Count == 0)
            return [];
        var upper = Utf8Order.UpperBound(prefix);
        if (upper is not null)
            return _order.GetViewBetween(prefix, upper).Where(k => k.StartsWith(prefix, StringComparison.Ordinal));
        // A prefix of only the highest code unit: no bound to cut at, but the matches still form one run.
        return _order.Where(k => k.StartsWith(prefix, StringComparison.Ordinal));
    }

    private int FirstChangeAtOrAfter(long revision)
    {
        int low = 0, high = _history.Count;
        while (low < high)
        {
            var mid = (low + high) >>> 1;
            if (_history[mid].Revision < revision)
                low = mid + 1;
            else
                high = mid;
        }

        return low;
    }

    private static bool Matches(string candidate, string key, bool prefix) =>
        prefix ? candidate.StartsWith(key, StringComparison.Ordinal) : candidate == key;

    private sealed record Change(long Revision, WatchEvent Event, KeyValue? Previous);
}
