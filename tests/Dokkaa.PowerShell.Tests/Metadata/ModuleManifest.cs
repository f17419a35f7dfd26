using System.Text.RegularExpressions;

namespace Dokkaa.PowerShell.Tests.Metadata;

/// <summary>
/// Dokkaa.psd1 read without PowerShell: the module manifest is a hashtable literal, and the few keys the
/// tests need are simple enough for patterns (a value each, or an @( ) list of quoted strings).
/// </summary>
public sealed partial record ModuleManifest(string Text)
{
    public static string PathAtRoot => System.IO.Path.Combine(Dokkaa.Testing.RepoPaths.Root, "Dokkaa.psd1");

    public static ModuleManifest Read(string? path = null) => new(File.ReadAllText(path ?? PathAtRoot));

    public string ModuleVersion => Value("ModuleVersion");
    public string Guid => Value("GUID");
    public string RootModule => Value("RootModule");
    public string PowerShellVersion => Value("PowerShellVersion");
    public string Description => Value("Description");
    public string ProjectUri => Value("ProjectUri");
    public string LicenseUri => Value("LicenseUri");
    public string ReleaseNotes => Value("ReleaseNotes");
    public IReadOnlyList<string> CmdletsToExport => List("CmdletsToExport");
    public IReadOnlyList<string> FunctionsToExport => List("FunctionsToExport");
    public IReadOnlyList<string> AliasesToExport => List("AliasesToExport");
    public IReadOnlyList<string> VariablesToExport => List("VariablesToExport");
    public IReadOnlyList<string> CompatiblePSEditions => List("CompatiblePSEditions");
    public IReadOnlyList<string> FormatsToProcess => List("FormatsToProcess");
    public IReadOnlyList<string> RequiredAssemblies => List("RequiredAssemblies");
    public IReadOnlyList<string> Tags => List("Tags");

    public bool Has(string key) => Regex.IsMatch(Code, $@"(?m)^\s*{key}\s*=");

    /// <summary>The text without comments.</summary>
    private string Code => Comment().Replace(Text, "");

    public string Value(string key)
    {
        var match = Regex.Match(Code, $@"(?m)^\s*{key}\s*=\s*'(?<v>(?:[^']|'')*)'");
        if (!match.Success)
            throw new InvalidOperationException($"Dokkaa.psd1 has no {key} = '...'");
        return match.Groups["v"].Value.Replace("''", "'", StringComparison.Ordinal);
    }

    public IReadOnlyList<string> List(string key)
    {
        var match = Regex.Match(Code, $@"(?ms)^\s*{key}\s*=\s*@\((?<v>[^)]*)\)");
        if (!match.Success)
            throw new InvalidOperationException($"Dokkaa.psd1 has no {key} = @(...)");
        return Regex.Matches(match.Groups["v"].Value, "'(?<s>[^']*)'").Select(m => m.Groups["s"].Value).ToList();
    }

    [GeneratedRegex(@"(?m)#.*$")]
    private static partial Regex Comment();
}
