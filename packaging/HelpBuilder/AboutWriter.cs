using System.Text;

namespace Dokkaa.HelpBuilder;

/// <summary>Writes <c>about_&lt;Module&gt;.help.txt</c> (what <c>Get-Help about_Dokkaa</c> shows) from the module page.</summary>
public static class AboutWriter
{
    public static string Write(ModuleHelp module)
    {
        var text = new StringBuilder();
        text.Append("TOPIC\n    about_").Append(module.Name).Append("\n\n");
        text.Append("SHORT DESCRIPTION\n    ").Append(FirstSentence(module.Description)).Append("\n\n");
        text.Append("LONG DESCRIPTION\n").Append(Indent(module.Body)).Append("\n\n");
        text.Append("CMDLETS\n");
        foreach (var (command, synopsis) in module.Commands)
            text.Append("    ").Append(command).Append('\n').Append("        ").Append(synopsis).Append('\n');
        text.Append("\nSEE ALSO\n");
        foreach (var (command, _) in module.Commands)
            text.Append("    ").Append(command).Append('\n');
        return text.ToString();
    }

    private static string FirstSentence(string text)
    {
        var firstParagraph = text.Split("\n\n")[0].Replace('\n', ' ');
        var end = firstParagraph.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? firstParagraph : firstParagraph[..(end + 1)];
    }

    private static string Indent(string text) =>
        string.Join("\n", text.Split('\n').Select(l => l.Length == 0 ? "" : "    " + l));
}
