namespace Dokkaa.Agent.Http;

/// <summary>
/// The host names nginx may see in <c>server_name</c>, checked again here although the manifest parser
/// already enforces the same rule: the config writer must be safe on its own, whatever reaches it (a
/// manifest written by an older version, a bug elsewhere). Lowercase DNS labels of 1-63 characters
/// (<c>a-z</c>, <c>0-9</c>, <c>-</c>, not at either end) joined by single dots, 253 characters at most.
/// Nothing that means something to nginx (<c>; { } $ " ' # \</c>, whitespace, <c>*</c>, <c>~</c>) can pass.
/// </summary>
public static class HttpHostName
{
    public const int MaxLength = 253;
    public const int MaxLabelLength = 63;

    /// <summary>Null when <paramref name="host"/> is safe and valid, else why not.</summary>
    public static string? Check(string? host)
    {
        if (string.IsNullOrEmpty(host))
            return "is empty";
        if (host.Length > MaxLength)
            return $"is {host.Length} characters long, at most {MaxLength} are allowed";

        var labelStart = 0;
        for (var i = 0; i <= host.Length; i++)
        {
            if (i < host.Length && host[i] != '.')
            {
                var c = host[i];
                if (!(c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-'))
                    return $"contains {Describe(c)} at position {i + 1}; only a-z, 0-9, '-' and '.' are allowed";
                continue;
            }

            var length = i - labelStart;
            if (length == 0)
                return "has an empty label (a leading, trailing or doubled '.')";
            if (length > MaxLabelLength)
                return $"has a label of {length} characters, at most {MaxLabelLength} are allowed";
            if (host[labelStart] == '-' || host[i - 1] == '-')
                return "has a label that starts or ends with '-'";
            labelStart = i + 1;
        }

        return null;
    }

    public static bool IsValid(string? host) => Check(host) is null;

    private static string Describe(char c) => c switch
    {
        '\n' => "a line feed",
        '\r' => "a carriage return",
        '\t' => "a tab",
        ' ' => "a space",
        _ when char.IsControl(c) || c > '~' => $"U+{(int)c:X4}",
        _ => $"'{c}'",
    };
}
