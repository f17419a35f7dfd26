namespace Dokkaa.Testing.Etcd;

/// <summary>
/// Orders strings as etcd orders keys: by their UTF-8 bytes, which is Unicode code point order. Plain
/// ordinal comparison of UTF-16 differs for characters above U+FFFF (surrogates, 0xD800-0xDFFF, sort
/// below U+E000-U+FFFF in UTF-16 but above them in UTF-8), so each code unit is first mapped to a rank
/// that puts surrogates last. The order stays lexicographic over code units, which keeps every prefix's
/// keys contiguous.
/// </summary>
internal sealed class Utf8Order : IComparer<string>
{
    public static readonly Utf8Order Instance = new();

    private const int MaxRank = 0xFFFF;

    public int Compare(string? x, string? y)
    {
        if (ReferenceEquals(x, y))
            return 0;
        if (x is null)
            return -1;
        if (y is null)
            return 1;

        var common = x.AsSpan().CommonPrefixLength(y);
        if (common < x.Length && common < y.Length)
            return Rank(x[common]) - Rank(y[common]);
        return x.Length - y.Length;
    }

    /// <summary>
    /// The smallest string that is greater than every string starting with <paramref name="prefix"/>, or null
    /// when there is none (the prefix is empty or made only of the highest-ranked code unit). The result can
    /// hold a lone surrogate: it is only a bound to compare against, never a key.
    /// </summary>
    public static string? UpperBound(string prefix)
    {
        for (var i = prefix.Length - 1; i >= 0; i--)
        {
            var rank = Rank(prefix[i]);
            if (rank < MaxRank)
                return string.Concat(prefix.AsSpan(0, i), [FromRank(rank + 1)]);
        }

        return null;
    }

    private static int Rank(char c) => c switch
    {
        < (char)0xD800 => c,
        <= (char)0xDFFF => c + 0x2000,
        _ => c - 0x800,
    };

    private static char FromRank(int rank) => (char)(rank switch
    {
        < 0xD800 => rank,
        < 0xF800 => rank + 0x800,
        _ => rank - 0x2000,
    });
}
