using Dokkaa.HelpBuilder;
using Dokkaa.PowerShell.Tests.Metadata;

namespace Dokkaa.PowerShell.Tests.Docs;

/// <summary>What a cmdlet's docs page must say, derived from the assembly's metadata.</summary>
public static class DocExpectations
{
    public static string DocsDir => Path.Combine(Dokkaa.Testing.RepoPaths.Root, "docs", "cmdlets");

    public static string PagePath(string cmdlet) => Path.Combine(DocsDir, cmdlet + ".md");

    /// <summary>Set name to its syntax line, in the order PowerShell lists sets (default first).</summary>
    public static IReadOnlyList<(string Set, bool IsDefault, string Syntax)> Syntax(CmdletMetadata cmdlet)
    {
        var help = cmdlet.ToHelp();
        var sets = cmdlet.ParameterSets.OrderBy(s => s == cmdlet.EffectiveDefaultSet ? 0 : 1).ToList();
        return sets.Select(set => (set, set == cmdlet.EffectiveDefaultSet, SyntaxFormatter.Format(cmdlet.Name, set == ModuleMetadata.AllSets ? SyntaxSection.AllSets : set, help, cmdlet.SupportsShouldProcess))).ToList();
    }

    /// <summary>The types a cmdlet takes from the pipeline (full names), or <c>None</c>.</summary>
    public static IReadOnlyList<string> Inputs(CmdletMetadata cmdlet)
    {
        var types = cmdlet.Parameters.Where(p => p.AcceptsPipeline).Select(p => p.Type.FullName!).Distinct().Order(StringComparer.Ordinal).ToList();
        return types.Count == 0 ? new[] { "None" } : types;
    }

    public static IReadOnlyList<string> Outputs(CmdletMetadata cmdlet) =>
        cmdlet.OutputTypes.Select(t => t.FullName!).Distinct().Order(StringComparer.Ordinal).ToList();

    /// <summary>The PowerShell common parameters (and their aliases) that examples may use on any cmdlet.</summary>
    public static readonly IReadOnlySet<string> CommonParameters = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "Verbose", "vb", "Debug", "db", "ErrorAction", "ea", "WarningAction", "wa", "InformationAction", "infa",
        "ProgressAction", "proga", "ErrorVariable", "ev", "WarningVariable", "wv", "InformationVariable", "iv",
        "OutVariable", "ov", "OutBuffer", "ob", "PipelineVariable", "pv",
    };
}
