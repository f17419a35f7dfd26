using System.Text;
using System.Xml;

namespace Dokkaa.HelpBuilder;

/// <summary>
/// <c>HelpBuilder &lt;docs/cmdlets&gt; &lt;module name&gt; &lt;assembly file&gt; &lt;output culture folder&gt;</c>:
/// writes &lt;assembly&gt;-Help.xml from every cmdlet page and about_&lt;module&gt;.help.txt from the module page.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length != 4)
        {
            Console.Error.WriteLine("usage: HelpBuilder <docs-dir> <module-name> <assembly-file-name> <output-dir>");
            return 2;
        }

        var (docs, module, assembly, output) = (args[0], args[1], args[2], args[3]);
        try
        {
            var result = Build(docs, module, assembly, output);
            Console.WriteLine($"{result.MamlPath}: {result.Commands} cmdlets; {result.AboutPath}");
            return 0;
        }
        catch (Exception e) when (e is FormatException or IOException or InvalidOperationException)
        {
            Console.Error.WriteLine($"HelpBuilder: {e.Message}");
            return 1;
        }
    }

    public static (string MamlPath, string AboutPath, int Commands) Build(string docsDir, string moduleName, string assemblyFileName, string outputDir)
    {
        var modulePage = Path.Combine(docsDir, moduleName + ".md");
        if (!File.Exists(modulePage))
            throw new FileNotFoundException($"module page {modulePage} is missing");
        var commands = Directory.GetFiles(docsDir, "*-*.md")
            .Order(StringComparer.Ordinal)
            .Select(path => PlatyPsMarkdown.ParseCommand(File.ReadAllText(path), path))
            .ToList();
        if (commands.Count == 0)
            throw new InvalidOperationException($"no cmdlet pages (Verb-Noun.md) in {docsDir}");
        foreach (var command in commands)
        {
            var helpFile = command.FrontMatter.GetValueOrDefault("external help file");
            if (helpFile != assemblyFileName + "-Help.xml")
                throw new FormatException($"{command.Name}: front matter 'external help file' is '{helpFile}', expected '{assemblyFileName}-Help.xml'");
        }

        Directory.CreateDirectory(outputDir);
        var mamlPath = Path.Combine(outputDir, assemblyFileName + "-Help.xml");
        var settings = new XmlWriterSettings { Indent = true, Encoding = new UTF8Encoding(false), NewLineChars = "\n" };
        using (var writer = XmlWriter.Create(mamlPath, settings))
            MamlWriter.Write(commands).Save(writer);

        var aboutPath = Path.Combine(outputDir, $"about_{moduleName}.help.txt");
        File.WriteAllText(aboutPath, AboutWriter.Write(PlatyPsMarkdown.ParseModule(File.ReadAllText(modulePage), modulePage)), new UTF8Encoding(false));
        return (mamlPath, aboutPath, commands.Count);
    }
}
