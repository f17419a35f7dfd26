using System.Text;

namespace Dokkaa.Core.Placement;

/// <summary>
/// Highest-random-weight hashing: every agent computes the same weight for (host, instance) without
/// talking to anyone, so ties between equally loaded hosts break the same way everywhere, and removing a
/// host only moves what that host had.
/// </summary>
public static class RendezvousHash
{
    public static ulong Weight(string host, string key)
    {
        // FNV-1a over "host\nkey", then a 64-bit finalizer (splitmix) so close inputs spread well.
        const ulong offset = 14695981039346656037UL;
        const ulong prime = 1099511628211UL;
        var hash = offset;
        Span<byte> buffer = stackalloc byte[256];
        foreach (var part in new[] { host, "\n", key })
        {
            var bytes = part.Length * 3 <= buffer.Length ? buffer[..Encoding.UTF8.GetBytes(part, buffer)] : Encoding.UTF8.GetBytes(part);
            foreach (var b in bytes)
            {
                hash ^= b;
                hash *= prime;
            }
        }

        hash ^= hash >> 30;
        hash *= 0xbf58476d1ce4e5b9UL;
        hash ^= hash >> 27;
        hash *= 0x94d049bb133111ebUL;
        hash ^= hash >> 31;
        return hash;
    }
}
