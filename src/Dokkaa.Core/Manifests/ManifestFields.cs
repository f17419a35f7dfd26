namespace Dokkaa.Core.Manifests;

/// <summary>
/// The field names of a manifest at each level, as its JSON spells them. The parser accepts exactly
/// these (case-sensitive, like every JSON tool); readers of case-insensitive property bags (PowerShell's
/// hashtables and objects) map names onto them, so both sides know the same fields.
/// </summary>
public static class ManifestFields
{
    /// <summary>The top level, in the order the canonical form writes them.</summary>
    public static IReadOnlyList<string> Manifest { get; } =
        new[] { "image", "scale", "services", "command", "links", "env", "http", "exclusive", "constraints", "resources" };

    /// <summary>One service in its object form: <c>{"port": 80, "protocol": "tcp", "role": "web"}</c>.</summary>
    public static IReadOnlyList<string> Service { get; } = new[] { "port", "protocol", "role" };

    /// <summary><c>http</c>: <c>{"host": "shop.example.com", "port": 9000}</c>.</summary>
    public static IReadOnlyList<string> Http { get; } = new[] { "host", "port" };

    /// <summary><c>resources</c>: <c>{"cpus": 0.5, "memory": "256m"}</c>.</summary>
    public static IReadOnlyList<string> Resources { get; } = new[] { "cpus", "memory" };

    /// <summary>The field of <paramref name="known"/> that <paramref name="name"/> names, ignoring case; null when none does.</summary>
    public static string? Match(string name, IReadOnlyList<string> known)
    {
        foreach (var field in known)
        {
            if (string.Equals(field, name, StringComparison.OrdinalIgnoreCase))
                return field;
        }

        return null;
    }
}
