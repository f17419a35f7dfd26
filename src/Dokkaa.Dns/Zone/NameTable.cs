namespace Dokkaa.Dns.Zone;

/// <summary>
/// A read-only hash table from names (lowercase wire bytes) to nodes, looked up with a span so that a
/// query never allocates a string or an array to find its node.
/// </summary>
internal sealed class NameTable
{
    private readonly int[] _buckets;
    private readonly Entry[] _entries;

    public NameTable(IReadOnlyCollection<KeyValuePair<byte[], ZoneNode>> items)
    {
        var size = 1;
        while (size < items.Count * 2)
            size <<= 1;
        _buckets = new int[size];
        _entries = new Entry[items.Count];
        var i = 0;
        foreach (var (key, node) in items)
        {
            var hash = Hash(key);
            ref var bucket = ref _buckets[hash & (size - 1)];
            _entries[i] = new Entry(key, hash, bucket - 1, node);
            bucket = i + 1;
            i++;
        }
    }

    public int Count => _entries.Length;

    public ZoneNode? Find(ReadOnlySpan<byte> key)
    {
        var hash = Hash(key);
        for (var i = _buckets[hash & (_buckets.Length - 1)] - 1; i >= 0; i = _entries[i].Next)
        {
            ref readonly var entry = ref _entries[i];
            if (entry.Hash == hash && key.SequenceEqual(entry.Key))
                return entry.Node;
        }

        return null;
    }

    // FNV-1a: keys are short and come from the cluster state, not from clients, so chains cannot be flooded.
    private static int Hash(ReadOnlySpan<byte> key)
    {
        var hash = 2166136261u;
        foreach (var b in key)
            hash = (hash ^ b) * 16777619u;
        return (int)(hash & 0x7FFFFFFF);
    }

    private readonly record struct Entry(byte[] Key, int Hash, int Next, ZoneNode Node);
}
