namespace Dokkaa.Core.Operations;

/// <summary>PowerShell-style wildcards (<c>*</c>, <c>?</c>) for app and name filters, ordinal and case-sensitive like the keys.</summary>
public static class Glob
{
    public static bool IsMatch(string text, string? pattern)
    {
        if (pattern is null || pattern == "*")
            return true;
        return Match(text.AsSpan(), pattern.AsSpan());
    }

    public static bool HasWildcards(string? pattern) => pattern is not null && pattern.AsSpan().IndexOfAny('*', '?') >= 0;

    private static bool Match(ReadOnlySpan<char> text, ReadOnlySpan<char> pattern)
    {
        int t = 0, p = 0, star = -1, mark = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || pattern[p] == text[t]))
            {
                t++;
                p++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                mark = t;
            }
            else if (star >= 0)
            {
                p = star + 1;
                t = ++mark;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
            p++;
        return p == pattern.Length;
    }
}
