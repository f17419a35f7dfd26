using System.Text.RegularExpressions;
using Dokkaa.HelpBuilder;
using Dokkaa.PowerShell.Tests.Metadata;
using Xunit;

namespace Dokkaa.PowerShell.Tests.Docs;

/// <summary>
/// The drift gate between the cmdlets and docs/cmdlets: change a parameter, a set, a binding or an output
/// type in the code without the page (or the other way round) and these fail, naming the difference.
/// </summary>
public sealed partial class CmdletDocsTests
{
    private static readonly string[] RequiredSections = ["SYNOPSIS", "SYNTAX", "DESCRIPTION", "EXAMPLES", "PARAMETERS", "INPUTS", "OUTPUTS"];

    public static TheoryData<string> CmdletNames() => CmdletMetadataTests.CmdletNames();

    private static CommandHelp Page(string name)
    {
        var path = DocExpectations.PagePath(name);
        Assert.True(File.Exists(path), $"{name} has no page: {path}");
        return PlatyPsMarkdown.ParseCommand(File.ReadAllText(path), path);
    }

    [Fact]
    public void Every_page_documents_a_cmdlet_and_every_cmdlet_has_a_page()
    {
        var pages = Directory.GetFiles(DocExpectations.DocsDir, "*-*.md").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal);
        Assert.Equal(ModuleMetadata.Cmdlets.Select(c => c.Name), pages);
    }

    [Theory]
    [MemberData(nameof(CmdletNames))]
    public void Page_has_platyPS_front_matter_title_and_required_sections(string name)
    {
        var page = Page(name);
        Assert.Equal(name, page.Name);
        Assert.Equal("Dokkaa.PowerShell.dll-Help.xml", page.FrontMatter.GetValueOrDefault("external help file"));
        Assert.Equal("Dokkaa", page.FrontMatter.GetValueOrDefault("Module Name"));
        Assert.Equal("2.0.0", page.FrontMatter.GetValueOrDefault("schema"));
        foreach (var section in RequiredSections)
            Assert.Contains(section, page.Sections);
        Assert.Equal(RequiredSections, page.Sections.Where(RequiredSections.Contains));
        Assert.False(string.IsNullOrWhiteSpace(page.Synopsis), $"{name}: empty SYNOPSIS");
        Assert.False(string.IsNullOrWhiteSpace(page.Description), $"{name}: empty DESCRIPTION");
        Assert.DoesNotContain("{{", File.ReadAllText(DocExpectations.PagePath(name)), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(CmdletNames))]
    public void Syntax_matches_the_parameter_sets_of_the_code(string name)
    {
        var cmdlet = ModuleMetadata.Get(name);
        var page = Page(name);
        var expected = DocExpectations.Syntax(cmdlet);
        if (expected.Count == 1)
        {
            var only = Assert.Single(page.Syntax);
            Assert.Equal(SyntaxSection.AllSets, only.SetName);
            Assert.Equal(expected[0].Syntax, only.Code);
            return;
        }

        Assert.Equal(expected.Select(e => (e.Set, e.IsDefault)), page.Syntax.Select(s => (s.SetName, s.IsDefault)));
        foreach (var (set, _, syntax) in expected)
            Assert.Equal(syntax, page.Syntax.Single(s => s.SetName == set).Code);
    }

    [Theory]
    [MemberData(nameof(CmdletNames))]
    public void Every_parameter_is_documented_with_the_metadata_of_the_code(string name)
    {
        var cmdlet = ModuleMetadata.Get(name);
        var page = Page(name);
        var expected = cmdlet.ToHelp();
        Assert.Equal(expected.Select(p => p.Name), page.Parameters.Select(p => p.Name));
        Assert.True(page.HasCommonParameters, $"{name}: no '### CommonParameters'");
        foreach (var want in expected)
        {
            var have = page.Parameters.Single(p => p.Name == want.Name);
            var what = $"{name} -{want.Name}";
            Assert.False(string.IsNullOrWhiteSpace(have.Description), $"{what}: no description");
            Assert.True(want.Type == have.Type, $"{what}: Type is {want.Type} in the code, {have.Type} in the docs");
            Assert.True(want.ParameterSets.SequenceEqual(have.ParameterSets), $"{what}: Parameter Sets are [{string.Join(", ", want.ParameterSets)}] in the code, [{string.Join(", ", have.ParameterSets)}] in the docs (empty: All)");
            Assert.True(want.Aliases.SequenceEqual(have.Aliases), $"{what}: Aliases differ");
            Assert.True(want.Required == have.Required, $"{what}: Required is {want.Required} in the code");
            Assert.True(want.Position == have.Position, $"{what}: Position is {want.Position?.ToString() ?? "Named"} in the code");
            Assert.True(want.PipelineInput == have.PipelineInput, $"{what}: pipeline input is {want.PipelineInput} in the code, {have.PipelineInput} in the docs");
            Assert.True(want.Wildcards == have.Wildcards, $"{what}: wildcards {want.Wildcards} in the code");
        }
    }

    [Theory]
    [MemberData(nameof(CmdletNames))]
    public void Inputs_and_outputs_match_the_code(string name)
    {
        var cmdlet = ModuleMetadata.Get(name);
        var page = Page(name);
        Assert.Equal(DocExpectations.Inputs(cmdlet), page.Inputs.Select(t => t.TypeName).Order(StringComparer.Ordinal));
        Assert.Equal(DocExpectations.Outputs(cmdlet), page.Outputs.Select(t => t.TypeName).Order(StringComparer.Ordinal));
        Assert.All(page.Inputs.Concat(page.Outputs), t => Assert.False(string.IsNullOrWhiteSpace(t.Description), $"{name}: {t.TypeName} has no description"));
    }

    [Theory]
    [MemberData(nameof(CmdletNames))]
    public void Has_at_least_two_explained_examples_that_use_the_cmdlet(string name)
    {
        var page = Page(name);
        Assert.True(page.Examples.Count >= 2, $"{name}: {page.Examples.Count} examples");
        foreach (var example in page.Examples)
        {
            Assert.Matches(@"^Example \d+: \S", example.Title);
            Assert.Contains(name, example.Code, StringComparison.Ordinal);
            Assert.False(string.IsNullOrWhiteSpace(example.Introduction + example.Remarks), $"{name} '{example.Title}': no explanation");
        }
    }

    /// <summary>Every <c>-Parameter</c> an example passes to a Dokkaa cmdlet exists on that cmdlet (after a rename, old examples fail).</summary>
    [Fact]
    public void Examples_only_use_parameters_that_exist()
    {
        var cmdlets = ModuleMetadata.Cmdlets.ToDictionary(c => c.Name, StringComparer.OrdinalIgnoreCase);
        var problems = new List<string>();
        var pages = Directory.GetFiles(DocExpectations.DocsDir, "*.md").Select(p => (Path.GetFileName(p), File.ReadAllText(p)));
        foreach (var (file, text) in pages)
        {
            foreach (var code in CodeBlocks(text))
            {
                foreach (var line in code.Split('\n'))
                {
                    var plain = Quoted().Replace(line.Replace("PS> ", "", StringComparison.Ordinal), "''");
                    foreach (Match use in CmdletUse().Matches(plain))
                    {
                        if (!cmdlets.TryGetValue(use.Groups["cmdlet"].Value, out var cmdlet))
                            continue;
                        var valid = cmdlet.Parameters.SelectMany(p => p.Aliases.Prepend(p.Name))
                            .Concat(cmdlet.SupportsShouldProcess ? ["WhatIf", "Confirm"] : [])
                            .Concat(DocExpectations.CommonParameters)
                            .ToHashSet(StringComparer.OrdinalIgnoreCase);
                        foreach (Match parameter in ParameterUse().Matches(use.Groups["args"].Value))
                        {
                            if (!valid.Contains(parameter.Groups["name"].Value))
                                problems.Add($"{file}: {cmdlet.Name} has no -{parameter.Groups["name"].Value} ({line.Trim()})");
                        }
                    }
                }
            }
        }

        Assert.Empty(problems);
    }

    [Fact]
    public void Module_page_lists_every_cmdlet_with_its_synopsis()
    {
        var module = PlatyPsMarkdown.ParseModule(File.ReadAllText(Path.Combine(DocExpectations.DocsDir, "Dokkaa.md")));
        Assert.Equal("Dokkaa", module.Name);
        Assert.Equal(ModuleManifest.Read().Guid, module.FrontMatter.GetValueOrDefault("Module Guid"));
        Assert.False(string.IsNullOrWhiteSpace(module.Description));
        Assert.Equal(ModuleMetadata.Cmdlets.Select(c => c.Name).Order(StringComparer.Ordinal), module.Commands.Select(c => c.Command).Order(StringComparer.Ordinal));
        foreach (var (command, synopsis) in module.Commands)
            Assert.Equal(PlatyPsMarkdown.Inline(Page(command).Synopsis), synopsis);
    }

    [Fact]
    public void Module_page_documents_every_ErrorId()
    {
        var text = File.ReadAllText(Path.Combine(DocExpectations.DocsDir, "Dokkaa.md"));
        foreach (var (id, category) in ErrorIds.All)
            Assert.Contains($"{id} ({category})", text, StringComparison.Ordinal);
    }

    private static IEnumerable<string> CodeBlocks(string markdown) =>
        CodeBlock().Matches(markdown.Replace("\r\n", "\n", StringComparison.Ordinal)).Select(m => m.Groups["code"].Value);

    [GeneratedRegex(@"```[a-z]*\n(?<code>.*?)\n```", RegexOptions.Singleline)]
    private static partial Regex CodeBlock();

    [GeneratedRegex(@"'[^']*'|""[^""]*""")]
    private static partial Regex Quoted();

    [GeneratedRegex(@"(?<cmdlet>\b[A-Z][a-z]+-Dokkaa[A-Za-z]+)(?<args>[^|;{}()]*)")]
    private static partial Regex CmdletUse();

    [GeneratedRegex(@"(?<=\s)-(?<name>[A-Za-z]+)")]
    private static partial Regex ParameterUse();
}
