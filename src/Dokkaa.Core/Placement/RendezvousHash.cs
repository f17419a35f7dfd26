using System.Text;

namespace Dokkaa.Core.Placement;

/// <summary>
/// Highest-random-weight hashing: every agent computes the same weight for (host, instance) without
/// talking to anyone, so ties between equally loaded hosts break the same way everywhere, and removing a
/// host only moves what that host had.
/// </summary>
public static class RendezvousHash
{
    private const ulong Offset = 14695981039346656037UL;
    private const ulong Prime = 1099511628211UL;

    /// <summary>FNV-1a over the UTF-8 bytes of "host\nkey", then a 64-bit finalizer (splitmix) so close inputs spread well.</summary>
    public static ulong Weight(string host, string key) => Finish(Add(Add(Add(Offset, host), "\n"), key));

    /// <summary>The hash state after "host\n": with <see cref="Weight(ulong, ReadOnlySpan{byte})"/>, the same weight without hashing the host again.</summary>
    internal static ulong Prefix(string host) => Add(Add(Offset, host), "\n");

    /// <summary><see cref="Weight(string, string)"/> from a host's <see cref="Prefix"/> and the key's UTF-8 bytes.</summary>
    internal static ulong Weight(ulong prefix, ReadOnlySpan<byte> keyUtf8) => Finish(Add(prefix, keyUtf8));

    private static ulong Add(ulong hash, string part)
    {
        // ASCII (every host id and key Dokkaa makes): each char is its UTF-8 byte, no encoding needed.
        foreach (var c in part)
        {
            if (c >= 0x80)
                return AddEncoded(hash, part);
        }

        foreach (var c in part)
        {
            hash ^= c;
            hash *= Prime;
        }

        return hash;
    }

    private static ulong AddEncoded(ulong hash, string part)
    {
        Span<byte> buffer = stackalloc byte[256];
        var bytes = part.Length * 3 <= buffer.Length ? buffer[..Encoding.UTF8.GetBytes(part, buffer)] : Encoding.UTF8.GetBytes(part);
        return Add(hash, bytes);
    }

    private static ulong Add(ulong hash, ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            hash ^= b;
            hash *= Prime;
        }

        return hash;
    }

    private static ulong Finish(ulong hash)
    {
        hash ^= hash >> 30;
        hash *= 0xbf58476d1ce4e5b9UL;
        hash ^= hash >> 27;
        hash *= 0x94d049bb133111ebUL;
        hash ^= hash >> 31;
        return hash;
    }
}
