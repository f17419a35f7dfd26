namespace Dokkaa.Core.Manifests.Rules;

/// <summary>
/// Names of environment variables a manifest may set. The portable POSIX shape keeps them usable from
/// any shell, and the prefixes the agent writes itself are reserved so a manifest cannot shadow a link's
/// <c>SERVICE_NGINX_ADDR</c> or Dokkaa's own variables.
/// </summary>
internal static class EnvName
{
    public static readonly IReadOnlyList<string> ReservedPrefixes = new[] { "DOKKAA_", "SERVICE_" };

    /// <summary>Null when <paramref name="name"/> may be set by a manifest, else why not.</summary>
    public static string? Check(string name)
    {
        if (name.Length == 0)
        {
            return "is not a valid variable name: must not be empty";
        }

        var shapeOk = (char.IsAsciiLetter(name[0]) || name[0] == '_')
            && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
        if (!shapeOk)
        {
            return "is not a valid variable name: must match [A-Za-z_][A-Za-z0-9_]*";
        }

        // Case-sensitive, as the environment is: "Service_x" cannot clash with what the agent sets.
        var reserved = ReservedPrefixes.FirstOrDefault(p => name.StartsWith(p, StringComparison.Ordinal));
        return reserved is null
            ? null
            : $"is reserved: names starting with {reserved} are set by Dokkaa itself";
    }
}
