using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Dokkaa.HelpBuilder;

/// <summary>
/// Reads platyPS markdown (schema 2.0.0): the front matter between <c>---</c> lines, <c># Name</c>, and the
/// level-2 sections SYNOPSIS, SYNTAX, DESCRIPTION, EXAMPLES, PARAMETERS, INPUTS, OUTPUTS, NOTES,
/// RELATED LINKS. Strict where a mistake would silently drop help (a parameter without its yaml block
/// is an error), lenient about blank lines.
/// </summary>
public static partial class PlatyPsMarkdown
{
    public static CommandHelp ParseCommand(string markdown, string source = "markdown")
    {
        var (front, lines) = SplitFrontMatter(markdown, source);
        var blocks = Blocks(lines);
        var title = blocks.FirstOrDefault(b => b.Kind == BlockKind.Heading && b.Level == 1)
                    ?? throw new FormatException($"{source}: no '# Command-Name' heading");
        var sections = Sections(blocks);

        string Text(string section) => sections.TryGetValue(section, out var body) ? Prose(body) : "";

        return new CommandHelp
        {
            Name = title.Text,
            FrontMatter = front,
            Synopsis = Text("SYNOPSIS"),
            Syntax = sections.TryGetValue("SYNTAX", out var syntax) ? ReadSyntax(syntax, source) : Array.Empty<SyntaxSection>(),
            Description = Text("DESCRIPTION"),
            Examples = sections.TryGetValue("EXAMPLES", out var examples) ? ReadExamples(examples) : Array.Empty<ExampleHelp>(),
            Parameters = sections.TryGetValue("PARAMETERS", out var parameters) ? ReadParameters(parameters, source) : Array.Empty<ParameterHelp>(),
            HasCommonParameters = sections.TryGetValue("PARAMETERS", out var p) && p.Any(b => b.Kind == BlockKind.Heading && b.Text == "CommonParameters"),
            Inputs = sections.TryGetValue("INPUTS", out var inputs) ? ReadTypes(inputs) : Array.Empty<TypeHelp>(),
            Outputs = sections.TryGetValue("OUTPUTS", out var outputs) ? ReadTypes(outputs) : Array.Empty<TypeHelp>(),
            Notes = Text("NOTES"),
            Links = OnlineVersion(front).Concat(sections.TryGetValue("RELATED LINKS", out var links) ? ReadLinks(links) : []).ToList(),
            Sections = blocks.Where(b => b.Kind == BlockKind.Heading && b.Level == 2).Select(b => b.Text).ToList(),
        };
    }

    public static ModuleHelp ParseModule(string markdown, string source = "markdown")
    {
        var (front, lines) = SplitFrontMatter(markdown, source);
        var blocks = Blocks(lines);
        var title = blocks.FirstOrDefault(b => b.Kind == BlockKind.Heading && b.Level == 1)
                    ?? throw new FormatException($"{source}: no '# Module-Name Module' heading");
        var name = front.TryGetValue("Module Name", out var moduleName) ? moduleName : title.Text.Replace(" Module", "", StringComparison.Ordinal);
        var sections = Sections(blocks);
        var description = sections.TryGetValue("Description", out var d) ? Prose(d) : "";
        var commands = new List<(string, string)>();
        var list = sections.FirstOrDefault(s => s.Key.EndsWith("Cmdlets", StringComparison.Ordinal)).Value ?? new List<Block>();
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i].Kind != BlockKind.Heading || list[i].Level != 3)
                continue;
            var link = LinkPattern().Match(list[i].Text);
            var command = link.Success ? link.Groups["text"].Value : list[i].Text;
            var synopsis = list.Skip(i + 1).TakeWhile(b => b.Kind != BlockKind.Heading).Where(b => b.Kind == BlockKind.Paragraph).Select(b => b.Text).FirstOrDefault() ?? "";
            commands.Add((command, Inline(synopsis)));
        }

        var others = sections.Where(s => s.Key != "Description" && !s.Key.EndsWith("Cmdlets", StringComparison.Ordinal)).Select(s => $"{s.Key.ToUpperInvariant()}\n{Prose(s.Value)}");
        var body = string.Join("\n\n", others.Prepend(description).Where(t => t.Length > 0));
        return new ModuleHelp(name, front, description, commands, body);
    }

    // ---- structure ----------------------------------------------------------------------------------

    private enum BlockKind { Heading, Paragraph, Code }

    /// <summary>A heading, a paragraph (consecutive non-blank lines), or a fenced code block with its info string.</summary>
    private sealed record Block(BlockKind Kind, string Text, int Level = 0, string Info = "");

    private static (IReadOnlyDictionary<string, string> Front, List<string> Lines) SplitFrontMatter(string markdown, string source)
    {
        var lines = markdown.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n').ToList();
        var front = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (lines.Count == 0 || lines[0].Trim() != "---")
            return (front, lines);
        var end = lines.FindIndex(1, l => l.Trim() == "---");
        if (end < 0)
            throw new FormatException($"{source}: front matter is not closed with '---'");
        foreach (var line in lines.Skip(1).Take(end - 1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
                front[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }

        return (front, lines.Skip(end + 1).ToList());
    }

    private static List<Block> Blocks(List<string> lines)
    {
        var blocks = new List<Block>();
        var paragraph = new List<string>();

        void Flush()
        {
            if (paragraph.Count > 0)
                blocks.Add(new Block(BlockKind.Paragraph, string.Join("\n", paragraph)));
            paragraph.Clear();
        }

        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                Flush();
                var info = line.Trim()[3..].Trim();
                var code = new List<string>();
                for (i++; i < lines.Count && !lines[i].TrimStart().StartsWith("```", StringComparison.Ordinal); i++)
                    code.Add(lines[i]);
                blocks.Add(new Block(BlockKind.Code, string.Join("\n", code), Info: info));
                continue;
            }

            var heading = HeadingPattern().Match(line);
            if (heading.Success)
            {
                Flush();
                blocks.Add(new Block(BlockKind.Heading, heading.Groups["text"].Value.Trim(), heading.Groups["hashes"].Length));
                continue;
            }

            if (string.IsNullOrWhiteSpace(line))
                Flush();
            else
                paragraph.Add(line.TrimEnd());
        }

        Flush();
        return blocks;
    }

    private static Dictionary<string, List<Block>> Sections(List<Block> blocks)
    {
        var sections = new Dictionary<string, List<Block>>(StringComparer.Ordinal);
        List<Block>? current = null;
        foreach (var block in blocks)
        {
            if (block.Kind == BlockKind.Heading && block.Level <= 2)
            {
                current = block.Level == 2 ? sections[block.Text] = new List<Block>() : null;
                continue;
            }

            current?.Add(block);
        }

        return sections;
    }

    // ---- sections -----------------------------------------------------------------------------------

    private static List<SyntaxSection> ReadSyntax(List<Block> body, string source)
    {
        var result = new List<SyntaxSection>();
        string? set = null;
        var isDefault = false;
        foreach (var block in body)
        {
            if (block.Kind == BlockKind.Heading)
            {
                var text = block.Text;
                isDefault = text.EndsWith("(Default)", StringComparison.Ordinal);
                set = isDefault ? text[..^"(Default)".Length].Trim() : text;
            }
            else if (block.Kind == BlockKind.Code)
            {
                result.Add(new SyntaxSection(set ?? SyntaxSection.AllSets, isDefault || set is null, block.Text.Trim()));
                set = null;
                isDefault = false;
            }
        }

        if (result.Count == 0)
            throw new FormatException($"{source}: SYNTAX has no code block");
        return result;
    }

    private static List<ExampleHelp> ReadExamples(List<Block> body)
    {
        var examples = new List<ExampleHelp>();
        string? title = null;
        var intro = new List<string>();
        var code = new List<string>();
        var remarks = new List<string>();

        void Flush()
        {
            if (title is not null)
                examples.Add(new ExampleHelp(title, Prose(intro), string.Join("\n\n", code), Prose(remarks)));
            intro.Clear();
            code.Clear();
            remarks.Clear();
        }

        foreach (var block in body)
        {
            switch (block.Kind)
            {
                case BlockKind.Heading:
                    Flush();
                    title = block.Text;
                    break;
                case BlockKind.Code:
                    code.Add(block.Text);
                    break;
                default:
                    (code.Count == 0 ? intro : remarks).Add(block.Text);
                    break;
            }
        }

        Flush();
        return examples;
    }

    private static List<ParameterHelp> ReadParameters(List<Block> body, string source)
    {
        var parameters = new List<ParameterHelp>();
        for (var i = 0; i < body.Count; i++)
        {
            var block = body[i];
            if (block.Kind != BlockKind.Heading || !block.Text.StartsWith('-'))
                continue;
            var name = block.Text[1..];
            var prose = new List<string>();
            Dictionary<string, string>? yaml = null;
            for (i++; i < body.Count && body[i].Kind != BlockKind.Heading; i++)
            {
                if (body[i].Kind == BlockKind.Code && body[i].Info.StartsWith("yaml", StringComparison.OrdinalIgnoreCase))
                {
                    if (yaml is not null)
                        throw new FormatException($"{source}: -{name} has more than one yaml block; give each parameter one set of metadata");
                    yaml = Yaml(body[i].Text);
                }
                else if (body[i].Kind == BlockKind.Paragraph)
                {
                    prose.Add(body[i].Text);
                }
            }

            i--;
            if (yaml is null)
                throw new FormatException($"{source}: -{name} has no yaml block");
            var pipeline = yaml.GetValueOrDefault("Accept pipeline input", "False");
            parameters.Add(new ParameterHelp
            {
                Name = name,
                Description = Prose(prose),
                Type = yaml.GetValueOrDefault("Type", ""),
                ParameterSets = List(yaml.GetValueOrDefault("Parameter Sets", "(All)")) is var sets && sets.SequenceEqual(new[] { "(All)" }) ? Array.Empty<string>() : sets,
                Aliases = List(yaml.GetValueOrDefault("Aliases", "")),
                AcceptedValues = List(yaml.GetValueOrDefault("Accepted values", "")),
                Required = Bool(yaml.GetValueOrDefault("Required", "False")),
                Position = int.TryParse(yaml.GetValueOrDefault("Position", "Named"), NumberStyles.None, CultureInfo.InvariantCulture, out var position) ? position : null,
                DefaultValue = yaml.GetValueOrDefault("Default value", "None"),
                ByValue = pipeline.Contains("ByValue", StringComparison.Ordinal),
                ByPropertyName = pipeline.Contains("ByPropertyName", StringComparison.Ordinal),
                Wildcards = Bool(yaml.GetValueOrDefault("Accept wildcard characters", "False")),
            });
        }

        return parameters;
    }

    private static List<TypeHelp> ReadTypes(List<Block> body)
    {
        var types = new List<TypeHelp>();
        for (var i = 0; i < body.Count; i++)
        {
            if (body[i].Kind != BlockKind.Heading)
                continue;
            var prose = body.Skip(i + 1).TakeWhile(b => b.Kind != BlockKind.Heading).Where(b => b.Kind == BlockKind.Paragraph).Select(b => b.Text).ToList();
            types.Add(new TypeHelp(body[i].Text, Prose(prose)));
        }

        return types;
    }

    /// <summary>
    /// The front matter's <c>online version</c> becomes the first related link, as platyPS writes it:
    /// <c>Get-Help -Online</c> opens the first link of the MAML.
    /// </summary>
    private static IEnumerable<LinkHelp> OnlineVersion(IReadOnlyDictionary<string, string> front) =>
        front.TryGetValue("online version", out var uri) && uri.Length > 0 ? [new LinkHelp("Online Version:", uri)] : [];

    private static List<LinkHelp> ReadLinks(List<Block> body) =>
        body.Where(b => b.Kind == BlockKind.Paragraph)
            .SelectMany(b => LinkPattern().Matches(b.Text))
            .Select(m => new LinkHelp(m.Groups["text"].Value, m.Groups["uri"].Value))
            .ToList();

    // ---- text ---------------------------------------------------------------------------------------

    private static Dictionary<string, string> Yaml(string text)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in text.Split('\n'))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
                result[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }

        return result;
    }

    private static List<string> List(string text) =>
        text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();

    private static bool Bool(string text) => text.Equals("true", StringComparison.OrdinalIgnoreCase);

    private static string Prose(IEnumerable<Block> blocks) =>
        Prose(blocks.Where(b => b.Kind != BlockKind.Heading).Select(b => b.Kind == BlockKind.Code ? Indent(b.Text) : b.Text));

    /// <summary>Paragraphs separated by one blank line; list items keep their own line; inline markup removed.</summary>
    private static string Prose(IEnumerable<string> paragraphs)
    {
        var result = new List<string>();
        foreach (var paragraph in paragraphs)
        {
            if (paragraph.StartsWith("    ", StringComparison.Ordinal))
            {
                result.Add(paragraph);
                continue;
            }

            var lines = new List<StringBuilder>();
            foreach (var raw in paragraph.Split('\n'))
            {
                var line = raw.Trim();
                if (lines.Count == 0 || ListItemPattern().IsMatch(line))
                    lines.Add(new StringBuilder(line));
                else
                    lines[^1].Append(' ').Append(line);
            }

            result.Add(string.Join("\n", lines.Select(l => Inline(l.ToString()))));
        }

        return string.Join("\n\n", result);
    }

    private static string Indent(string code) => string.Join("\n", code.Split('\n').Select(l => "    " + l));

    /// <summary>Removes emphasis and turns links into their text: Get-Help shows plain text.</summary>
    public static string Inline(string text)
    {
        text = LinkPattern().Replace(text, m => m.Groups["text"].Value);
        return text.Replace("**", "", StringComparison.Ordinal);
    }

    [GeneratedRegex(@"^(?<hashes>#{1,6})\s+(?<text>.+?)\s*#*\s*$")]
    private static partial Regex HeadingPattern();

    [GeneratedRegex(@"\[(?<text>[^\]]+)\]\((?<uri>[^)]*)\)")]
    private static partial Regex LinkPattern();

    [GeneratedRegex(@"^([-*]|\d+\.)\s")]
    private static partial Regex ListItemPattern();
}
