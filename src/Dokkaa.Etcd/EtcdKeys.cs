using System.Text;

namespace Dokkaa.Etcd;

/// <summary>Key encoding rules of etcd: keys are bytes, compared bytewise, and a prefix is a [key, range_end) interval.</summary>
internal static class EtcdKeys
{
    /// <summary>etcd's "from this key to the end of the keyspace" marker: a range_end of a single zero byte.</summary>
    private static readonly byte[] AllKeys = [0];

    public static byte[] ToBytes(string key) => Encoding.UTF8.GetBytes(key);

    /// <summary>
    /// The range_end that selects every key starting with <paramref name="prefix"/>: the prefix with its last
    /// byte incremented. Trailing 0xff bytes cannot be incremented, so they are dropped first ("a\xff" ends at
    /// "b"); a prefix of only 0xff bytes (or the empty prefix) has no upper bound and gets etcd's \0 marker.
    /// </summary>
    public static byte[] PrefixRangeEnd(ReadOnlySpan<byte> prefix)
    {
        var end = prefix.ToArray();
        for (var i = end.Length - 1; i >= 0; i--)
        {
            if (end[i] < 0xff)
            {
                end[i]++;
                return end[..(i + 1)];
            }
        }

        return AllKeys;
    }

    /// <summary>The key bytes for a range request: the empty prefix must be sent as \0 (etcd rejects an empty key).</summary>
    public static byte[] RangeStart(string key, bool prefix)
    {
        var bytes = ToBytes(key);
        return prefix && bytes.Length == 0 ? AllKeys : bytes;
    }
}
