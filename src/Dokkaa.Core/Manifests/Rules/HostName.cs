namespace Dokkaa.Core.Manifests.Rules;

/// <summary>
/// The rule for <c>http.host</c>. The value is written into nginx's <c>server_name</c>, so the rule is the
/// strictest useful one: lowercase DNS labels joined by dots, nothing else. No wildcard, no trailing dot,
/// no port, no whitespace, no ';', '{', '}', '$' or quotes can get through, so a manifest cannot inject
/// nginx configuration whatever the config writer does.
/// </summary>
internal static class HostName
{
    public const int MaxLength = 253;

    /// <summary>Null when <paramref name="value"/> is a valid host name, else why not.</summary>
    public static string? Check(string value)
    {
        if (value.Length == 0)
        {
            return "must not be empty";
        }

        if (value.Length > MaxLength)
        {
            return $"is {value.Length} characters long, at most {MaxLength} are allowed";
        }

        if (value.StartsWith("*.", StringComparison.Ordinal))
        {
            return "wildcard host names are not supported";
        }

        if (value.EndsWith('.'))
        {
            return "must not end with '.'";
        }

        var labels = value.Split('.');
        for (var i = 0; i < labels.Length; i++)
        {
            if (DnsLabel.Check(labels[i]) is { } reason)
            {
                return labels[i].Length == 0 ? "must not contain an empty label ('..' or a leading '.')" : $"label {i + 1} {reason}";
            }
        }

        return null;
    }
}
