namespace Dokkaa.HelpBuilder;

/// <summary>One cmdlet page of docs/cmdlets, as platyPS (schema 2.0.0) lays it out.</summary>
public sealed record CommandHelp
{
    public required string Name { get; init; }
    public IReadOnlyDictionary<string, string> FrontMatter { get; init; } = new Dictionary<string, string>();
    public string Synopsis { get; init; } = "";
    public IReadOnlyList<SyntaxSection> Syntax { get; init; } = Array.Empty<SyntaxSection>();
    public string Description { get; init; } = "";
    public IReadOnlyList<ExampleHelp> Examples { get; init; } = Array.Empty<ExampleHelp>();
    public IReadOnlyList<ParameterHelp> Parameters { get; init; } = Array.Empty<ParameterHelp>();
    public bool HasCommonParameters { get; init; }
    public IReadOnlyList<TypeHelp> Inputs { get; init; } = Array.Empty<TypeHelp>();
    public IReadOnlyList<TypeHelp> Outputs { get; init; } = Array.Empty<TypeHelp>();
    public string Notes { get; init; } = "";
    public IReadOnlyList<LinkHelp> Links { get; init; } = Array.Empty<LinkHelp>();

    /// <summary>The level-2 headings in the order they appear (to check that every required section is there).</summary>
    public IReadOnlyList<string> Sections { get; init; } = Array.Empty<string>();

    public string Verb => Name.Split('-', 2)[0];

    public string Noun => Name.Contains('-') ? Name.Split('-', 2)[1] : "";

    /// <summary>Parameter set names, in the order of the SYNTAX section (one unnamed set when there is no ### heading).</summary>
    public IReadOnlyList<string> ParameterSetNames => Syntax.Select(s => s.SetName).ToList();
}

/// <summary>One <c>### SetName (Default)</c> of the SYNTAX section and its code block.</summary>
public sealed record SyntaxSection(string SetName, bool IsDefault, string Code)
{
    /// <summary>The name a set has when a cmdlet declares none (PowerShell's own).</summary>
    public const string AllSets = "__AllParameterSets";
}

public sealed record ExampleHelp(string Title, string Introduction, string Code, string Remarks);

/// <summary>One <c>### -Name</c> of the PARAMETERS section with its yaml block.</summary>
public sealed record ParameterHelp
{
    public required string Name { get; init; }
    public string Description { get; init; } = "";
    public string Type { get; init; } = "";

    /// <summary>The sets named in <c>Parameter Sets:</c>; empty means <c>(All)</c>.</summary>
    public IReadOnlyList<string> ParameterSets { get; init; } = Array.Empty<string>();

    public IReadOnlyList<string> Aliases { get; init; } = Array.Empty<string>();
    public IReadOnlyList<string> AcceptedValues { get; init; } = Array.Empty<string>();
    public bool Required { get; init; }

    /// <summary>0-based position, or null for <c>Named</c>.</summary>
    public int? Position { get; init; }

    public string DefaultValue { get; init; } = "None";
    public bool ByValue { get; init; }
    public bool ByPropertyName { get; init; }
    public bool Wildcards { get; init; }

    public bool InAllSets => ParameterSets.Count == 0;

    public bool IsSwitch => Type == "SwitchParameter";

    public bool InSet(string set) => InAllSets || ParameterSets.Contains(set, StringComparer.OrdinalIgnoreCase);

    /// <summary>The text of <c>Accept pipeline input:</c> (also MAML's pipelineInput attribute).</summary>
    public string PipelineInput => (ByValue, ByPropertyName) switch
    {
        (true, true) => "True (ByPropertyName, ByValue)",
        (true, false) => "True (ByValue)",
        (false, true) => "True (ByPropertyName)",
        _ => "False",
    };

    /// <summary>The syntax form of the type: PowerShell's accelerator names where it has one (<c>string[]</c>, <c>int</c>).</summary>
    public string SyntaxType => SyntaxFormatter.TypeName(Type);
}

public sealed record TypeHelp(string TypeName, string Description);

public sealed record LinkHelp(string Text, string Uri);

/// <summary>The module page (docs/cmdlets/Dokkaa.md).</summary>
public sealed record ModuleHelp(string Name, IReadOnlyDictionary<string, string> FrontMatter, string Description, IReadOnlyList<(string Command, string Synopsis)> Commands, string Body);
