using System.Xml.Linq;

namespace Dokkaa.HelpBuilder;

/// <summary>
/// Writes MAML, the XML that Get-Help reads for binary cmdlets (<c>&lt;assembly&gt;.dll-Help.xml</c> in the
/// module's culture folder), in the shape platyPS's New-ExternalHelp produces.
/// </summary>
public static class MamlWriter
{
    public static readonly XNamespace Msh = "http://msh";
    public static readonly XNamespace Maml = "http://schemas.microsoft.com/maml/2004/10";
    public static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    public static readonly XNamespace Dev = "http://schemas.microsoft.com/maml/dev/2004/10";
    public static readonly XNamespace MSHelp = "http://msdn.microsoft.com/mshelp";

    public static XDocument Write(IEnumerable<CommandHelp> commands) =>
        new(new XDeclaration("1.0", "utf-8", null),
            new XElement(Msh + "helpItems",
                new XAttribute("schema", "maml"),
                commands.OrderBy(c => c.Name, StringComparer.Ordinal).Select(CommandElement)));

    private static XElement CommandElement(CommandHelp help)
    {
        var supportsShouldProcess = help.Parameters.Any(p => p.Name == "WhatIf");
        return new XElement(Command + "command",
            new XAttribute(XNamespace.Xmlns + "maml", Maml),
            new XAttribute(XNamespace.Xmlns + "command", Command),
            new XAttribute(XNamespace.Xmlns + "dev", Dev),
            new XAttribute(XNamespace.Xmlns + "MSHelp", MSHelp),
            new XElement(Command + "details",
                new XElement(Command + "name", help.Name),
                new XElement(Command + "verb", help.Verb),
                new XElement(Command + "noun", help.Noun),
                new XElement(Maml + "description", Paras(help.Synopsis))),
            new XElement(Maml + "description", Paras(help.Description)),
            new XElement(Command + "syntax", help.Syntax.Select(set =>
                new XElement(Command + "syntaxItem",
                    new XElement(Maml + "name", help.Name),
                    SyntaxFormatter.DisplayOrder(help.Parameters, set.SetName).Select(p => Parameter(p, inSyntax: true)),
                    supportsShouldProcess ? help.Parameters.Where(p => SyntaxFormatter.IsShouldProcess(p.Name)).Select(p => Parameter(p, inSyntax: true)) : null))),
            new XElement(Command + "parameters", help.Parameters.Select(p => Parameter(p, inSyntax: false))),
            new XElement(Command + "inputTypes", help.Inputs.Select(t =>
                new XElement(Command + "inputType",
                    new XElement(Dev + "type", new XElement(Maml + "name", t.TypeName)),
                    new XElement(Maml + "description", Paras(t.Description))))),
            new XElement(Command + "returnValues", help.Outputs.Select(t =>
                new XElement(Command + "returnValue",
                    new XElement(Dev + "type", new XElement(Maml + "name", t.TypeName)),
                    new XElement(Maml + "description", Paras(t.Description))))),
            new XElement(Maml + "alertSet", new XElement(Maml + "alert", Paras(help.Notes))),
            new XElement(Command + "examples", help.Examples.Select((e, i) =>
                new XElement(Command + "example",
                    new XElement(Maml + "title", $"-------------------------- {e.Title} --------------------------"),
                    new XElement(Dev + "code", e.Code),
                    new XElement(Dev + "remarks", Paras(Join(e.Introduction, e.Remarks)))))),
            new XElement(Command + "relatedLinks", help.Links.Select(l =>
                new XElement(Maml + "navigationLink",
                    new XElement(Maml + "linkText", l.Text),
                    new XElement(Maml + "uri", l.Uri.StartsWith("http", StringComparison.OrdinalIgnoreCase) ? l.Uri : "")))));
    }

    private static XElement Parameter(ParameterHelp p, bool inSyntax)
    {
        var element = new XElement(Command + "parameter",
            new XAttribute("required", p.Required ? "true" : "false"),
            new XAttribute("variableLength", p.Type.EndsWith("[]", StringComparison.Ordinal) ? "true" : "false"),
            new XAttribute("globbing", p.Wildcards ? "true" : "false"),
            new XAttribute("pipelineInput", p.PipelineInput),
            new XAttribute("position", p.Position?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "named"),
            new XAttribute("aliases", p.Aliases.Count == 0 ? "none" : string.Join(", ", p.Aliases)),
            new XElement(Maml + "name", p.Name),
            new XElement(Maml + "description", Paras(p.Description)));
        if (inSyntax && p.AcceptedValues.Count > 0)
        {
            element.Add(new XElement(Command + "parameterValueGroup", p.AcceptedValues.Select(v =>
                new XElement(Command + "parameterValue", new XAttribute("required", "false"), new XAttribute("variableLength", "false"), v))));
        }

        // As in platyPS: inside <syntax> a switch shows no value.
        if (!inSyntax || !p.IsSwitch)
        {
            element.Add(new XElement(Command + "parameterValue",
                new XAttribute("required", p.IsSwitch ? "false" : "true"),
                new XAttribute("variableLength", "false"),
                p.Type));
        }

        element.Add(
            new XElement(Dev + "type", new XElement(Maml + "name", p.Type), new XElement(Maml + "uri")),
            new XElement(Dev + "defaultValue", p.DefaultValue));
        return element;
    }

    private static IEnumerable<XElement> Paras(string text) =>
        text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).SelectMany(p => p.Split('\n')).Select(line => new XElement(Maml + "para", line));

    private static string Join(string a, string b) => string.IsNullOrEmpty(a) ? b : string.IsNullOrEmpty(b) ? a : a + "\n\n" + b;
}
