using System.Text.RegularExpressions;

namespace Dokkaa.Core.Manifests.Rules;

/// <summary>
/// Host label names and values (<c>--label zone=eu-1</c> on the agent, <c>constraints</c> in a manifest):
/// short, printable, no spaces or quotes, so they read the same in JSON, flags and tables.
/// </summary>
public static partial class HostLabel
{
    public const string NameRule = "1-63 characters: lowercase letters, digits, '.', '_', '-' or '/', starting and ending with a letter or digit";
    public const string ValueRule = "0-63 characters: letters, digits, '.', '_' or '-'";

    public static string? CheckName(string name) => NamePattern().IsMatch(name) ? null : $"is not a valid label name ({NameRule})";

    public static string? CheckValue(string value) => ValuePattern().IsMatch(value) ? null : $"is not a valid label value ({ValueRule})";

    [GeneratedRegex("^[a-z0-9]([a-z0-9._/-]{0,61}[a-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();

    [GeneratedRegex("^[A-Za-z0-9._-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex ValuePattern();
}
