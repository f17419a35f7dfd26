using System.Text;

namespace Dokkaa.HelpBuilder;

/// <summary>
/// Writes <c>about_&lt;Module&gt;.help.txt</c> (what <c>Get-Help about_Dokkaa</c> shows) from the module page,
/// wrapped at 80 columns as about topics are: Get-Help prints the file as it is, so a long line runs off a
/// terminal or breaks in the middle of a word.
/// </summary>
public static class AboutWriter
{
    public const int Width = 80;

    public static string Write(ModuleHelp module)
    {
        var text = new StringBuilder();
        text.Append("TOPIC\n    about_").Append(module.Name).Append("\n\n");
        text.Append("SHORT DESCRIPTION\n").Append(Wrap(FirstSentence(module.Description), "    ")).Append("\n\n");
        text.Append("LONG DESCRIPTION\n").Append(Wrap(module.Body, "    ")).Append("\n\n");
        text.Append("CMDLETS\n");
        foreach (var (command, synopsis) in module.Commands)
            text.Append("    ").Append(command).Append('\n').Append(Wrap(synopsis, "        ")).Append('\n');
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

    /// <summary>
    /// Indents every line and wraps it at <see cref="Width"/>; list items (<c>- </c>) continue under their
    /// text. Code blocks are left as they are; a word longer than a line gets a line of its own.
    /// </summary>
    public static string Wrap(string text, string indent)
    {
        var lines = new List<string>();
        var code = false;
        foreach (var line in text.Split('\n'))
        {
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
                code = !code;
            if (code || line.TrimStart().StartsWith("```", StringComparison.Ordinal) || line.Length == 0)
            {
                lines.Add(line.Length == 0 ? "" : indent + line);
                continue;
            }

            var leading = line.Length - line.TrimStart(' ').Length;
            var body = line[leading..];
            var hanging = indent + new string(' ', leading) + (body.StartsWith("- ", StringComparison.Ordinal) ? "  " : "");
            var current = new StringBuilder(indent).Append(' ', leading);
            var empty = true;
            foreach (var word in body.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                if (!empty && current.Length + 1 + word.Length > Width)
                {
                    lines.Add(current.ToString());
                    current.Clear().Append(hanging);
                    empty = true;
                }

                if (!empty)
                    current.Append(' ');
                current.Append(word);
                empty = false;
            }

            lines.Add(current.ToString());
        }

        return string.Join("\n", lines);
    }
}
