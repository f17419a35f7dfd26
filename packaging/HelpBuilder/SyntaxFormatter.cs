namespace Dokkaa.HelpBuilder;

/// <summary>
/// Writes a parameter set's syntax line the way <c>Get-Command -Syntax</c> in PowerShell 7 does:
/// positional parameters by position, then mandatory named ones, then the optional ones (in declaration
/// order), then <c>[-WhatIf] [-Confirm]</c> and <c>[&lt;CommonParameters&gt;]</c>. Used both to write the
/// MAML syntax and, by the tests, to check the SYNTAX blocks of docs/cmdlets against the assembly.
/// </summary>
public static class SyntaxFormatter
{
    private static readonly Dictionary<string, string> Accelerators = new(StringComparer.Ordinal)
    {
        ["String"] = "string",
        ["Int32"] = "int",
        ["Int64"] = "long",
        ["Boolean"] = "bool",
        ["Double"] = "double",
        ["Hashtable"] = "hashtable",
        ["ScriptBlock"] = "scriptblock",
        ["TimeSpan"] = "timespan",
        ["PSObject"] = "psobject",
    };

    /// <summary>The ordered parameters of one set (without WhatIf and Confirm, which come last).</summary>
    public static IReadOnlyList<ParameterHelp> DisplayOrder(IEnumerable<ParameterHelp> parameters, string set)
    {
        var inSet = parameters.Where(p => p.InSet(set) && !IsShouldProcess(p.Name)).ToList();
        return inSet.Where(p => p.Position is not null).OrderBy(p => p.Position)
            .Concat(inSet.Where(p => p.Position is null && p.Required))
            .Concat(inSet.Where(p => p.Position is null && !p.Required))
            .ToList();
    }

    public static string Format(string command, string set, IEnumerable<ParameterHelp> parameters, bool supportsShouldProcess)
    {
        var parts = new List<string> { command };
        parts.AddRange(DisplayOrder(parameters, set).Select(Part));
        if (supportsShouldProcess)
            parts.Add("[-WhatIf] [-Confirm]");
        parts.Add("[<CommonParameters>]");
        return string.Join(" ", parts);
    }

    public static bool IsShouldProcess(string name) => name is "WhatIf" or "Confirm";

    /// <summary><c>String[]</c> as <c>string[]</c>, <c>Int32</c> as <c>int</c>; other names as they are.</summary>
    public static string TypeName(string type)
    {
        var array = type.EndsWith("[]", StringComparison.Ordinal);
        var element = array ? type[..^2] : type;
        var name = Accelerators.GetValueOrDefault(element, element);
        return array ? name + "[]" : name;
    }

    private static string Part(ParameterHelp p)
    {
        if (p.IsSwitch)
            return p.Required ? $"-{p.Name}" : $"[-{p.Name}]";
        var name = p.Position is null ? $"-{p.Name}" : $"[-{p.Name}]";
        var text = $"{name} <{p.SyntaxType}>";
        return p.Required ? text : $"[{text}]";
    }
}
