using Dokkaa.Core.Manifests.Rules;

namespace Dokkaa.Core.Manifests.Parsing;

/// <summary>
/// Builds the JSON paths that name the place of an error (<c>$.services.nginx</c>, <c>$.command[2]</c>).
/// Keys that are not plain identifiers use bracket notation with an escaped, quoted key, so a hostile key
/// (newlines, quotes, megabytes) cannot forge or flood an error message.
/// </summary>
internal static class JsonPath
{
    public const string Root = "$";

    private const int MaxPlainLength = 64;

    public static string Property(string parent, string name) =>
        IsPlain(name) ? $"{parent}.{name}" : $"{parent}[{Text.Quote(name)}]";

    public static string Index(string parent, int index) => $"{parent}[{index}]";

    private static bool IsPlain(string name)
    {
        if (name.Length == 0 || name.Length > MaxPlainLength || !(IsAsciiLetter(name[0]) || name[0] == '_'))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!(IsAsciiLetter(c) || char.IsAsciiDigit(c) || c == '_' || c == '-'))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsAsciiLetter(char c) => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z');
}
