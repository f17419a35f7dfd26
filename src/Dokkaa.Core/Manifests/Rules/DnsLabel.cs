
namespace Dokkaa.Core.Manifests.Rules;

/// <summary>
/// The RFC 1123 label rule (lowercase): 1-63 of a-z, 0-9 and '-', not starting or ending with '-'.
/// Service, app and manifest names all end up as DNS labels under <c>.container</c>, in etcd keys and in
/// container names, so they share this one rule.
/// </summary>
internal static class DnsLabel
{
    public const int MaxLength = 63;

    public const string Rule =
        "1-63 lowercase letters, digits and '-', starting and ending with a letter or digit";

    /// <summary>Null when <paramref name="value"/> is a valid label, else why not (without the rule).</summary>
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

        foreach (var c in value)
        {
            if (c is >= 'A' and <= 'Z')
            {
                return "must be lowercase";
            }

            if (!IsLabelChar(c))
            {
                return $"must not contain {Text.QuoteChar(c)}";
            }
        }

        return value[0] == '-' || value[^1] == '-' ? "must start and end with a letter or digit" : null;
    }

    public static bool IsLabelChar(char c) => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-';
}
