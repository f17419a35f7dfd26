using System.IO.Compression;
using System.Reflection;
using System.Xml.Linq;
using Dokkaa.HelpBuilder;
using Dokkaa.PowerShell.Tests.Docs;
using Dokkaa.PowerShell.Tests.Metadata;
using Xunit;

namespace Dokkaa.PowerShell.Tests.Packaging;

/// <summary>What scripts/build-module.sh produces: the installable folder, its help, and the Gallery package.</summary>
[Collection(BuiltModuleCollection.Name)]
public sealed class ModulePackageTests
{
    private static readonly string[] ModuleFiles =
    [
        "Dependencies/Dokkaa.Etcd.dll", "Dependencies/Google.Api.CommonProtos.dll", "Dependencies/Google.Protobuf.dll",
        "Dependencies/Grpc.Core.Api.dll", "Dependencies/Grpc.Net.Client.dll", "Dependencies/Grpc.Net.Common.dll",
        "Dependencies/Microsoft.Extensions.DependencyInjection.Abstractions.dll", "Dependencies/Microsoft.Extensions.DependencyInjection.dll",
        "Dependencies/Microsoft.Extensions.Logging.Abstractions.dll", "Dependencies/dotnet-etcd.dll",
        "Dokkaa.Core.dll", "Dokkaa.Format.ps1xml", "Dokkaa.PowerShell.dll", "Dokkaa.psd1",
        "en-US/Dokkaa.PowerShell.dll-Help.xml", "en-US/about_Dokkaa.help.txt",
    ];

    private readonly BuiltModuleFixture _built;

    public ModulePackageTests(BuiltModuleFixture built) => _built = built;

    [Fact]
    public void The_script_prints_the_folder_and_the_package_it_made()
    {
        var lines = _built.Result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal([_built.ModuleDir, _built.Package], lines[^2..]);
    }

    [Fact]
    public void Module_folder_is_named_by_version_and_holds_exactly_the_module()
    {
        Assert.True(Directory.Exists(_built.ModuleDir), _built.ModuleDir);
        var files = Directory.GetFiles(_built.ModuleDir, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(_built.ModuleDir, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal);
        Assert.Equal(ModuleFiles, files);
        Assert.Equal(File.ReadAllText(ModuleManifest.PathAtRoot), File.ReadAllText(Path.Combine(_built.ModuleDir, "Dokkaa.psd1")));
    }

    [Fact]
    public void Assemblies_carry_the_build_version_and_the_module_ships_no_PowerShell()
    {
        foreach (var dll in new[] { "Dokkaa.PowerShell.dll", "Dokkaa.Core.dll", "Dependencies/Dokkaa.Etcd.dll" })
        {
            var name = AssemblyName.GetAssemblyName(Path.Combine(_built.ModuleDir, dll));
            Assert.Equal(new Version(_built.Version + ".0"), name.Version);
        }

        Assert.False(File.Exists(Path.Combine(_built.ModuleDir, "System.Management.Automation.dll")));
        var root = ModuleManifest.Read(Path.Combine(_built.ModuleDir, "Dokkaa.psd1"));
        Assert.True(File.Exists(Path.Combine(_built.ModuleDir, root.RootModule)));
        Assert.All(root.RequiredAssemblies.Concat(root.FormatsToProcess), f => Assert.True(File.Exists(Path.Combine(_built.ModuleDir, f)), f));
    }

    [Fact]
    public void MAML_help_has_every_cmdlet_as_documented()
    {
        var maml = XDocument.Load(Path.Combine(_built.ModuleDir, "en-US", "Dokkaa.PowerShell.dll-Help.xml"));
        Assert.Equal(MamlWriter.Msh + "helpItems", maml.Root!.Name);
        Assert.Equal("maml", maml.Root.Attribute("schema")!.Value);
        var commands = maml.Root.Elements(MamlWriter.Command + "command").ToList();
        Assert.Equal(ModuleMetadata.Cmdlets.Select(c => c.Name), commands.Select(c => c.Element(MamlWriter.Command + "details")!.Element(MamlWriter.Command + "name")!.Value));

        foreach (var command in commands)
        {
            var details = command.Element(MamlWriter.Command + "details")!;
            var name = details.Element(MamlWriter.Command + "name")!.Value;
            var cmdlet = ModuleMetadata.Get(name);
            var page = PlatyPsMarkdown.ParseCommand(File.ReadAllText(DocExpectations.PagePath(name)));
            Assert.Equal(cmdlet.Verb, details.Element(MamlWriter.Command + "verb")!.Value);
            Assert.Equal(cmdlet.Noun, details.Element(MamlWriter.Command + "noun")!.Value);
            Assert.Equal(page.Synopsis, details.Element(MamlWriter.Maml + "description")!.Value);
            Assert.Equal(cmdlet.ParameterSets.Count, command.Element(MamlWriter.Command + "syntax")!.Elements().Count());
            var parameters = command.Element(MamlWriter.Command + "parameters")!.Elements().Select(p => p.Element(MamlWriter.Maml + "name")!.Value);
            Assert.Equal(cmdlet.ToHelp().Select(p => p.Name), parameters);
            Assert.True(command.Element(MamlWriter.Command + "examples")!.Elements().Count() >= 2);
            Assert.NotEmpty(command.Element(MamlWriter.Command + "returnValues")!.Elements());
        }
    }

    [Fact]
    public void About_topic_is_written_from_the_module_page()
    {
        var about = File.ReadAllText(Path.Combine(_built.ModuleDir, "en-US", "about_Dokkaa.help.txt"));
        Assert.StartsWith("TOPIC\n    about_Dokkaa\n", about, StringComparison.Ordinal);
        Assert.All(ModuleMetadata.Cmdlets, c => Assert.Contains(c.Name, about, StringComparison.Ordinal));
    }

    [Fact]
    public void Nupkg_has_the_module_at_its_root_for_the_Gallery()
    {
        using var zip = ZipFile.OpenRead(_built.Package);
        var entries = zip.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);
        Assert.All(ModuleFiles, f => Assert.Contains(f, entries));
        Assert.Contains("Dokkaa.nuspec", entries);
        Assert.DoesNotContain(entries, e => e.StartsWith("lib/", StringComparison.Ordinal) || e.EndsWith(".pdb", StringComparison.Ordinal));
        using var reader = new StreamReader(zip.GetEntry("Dokkaa.psd1")!.Open());
        Assert.Equal(File.ReadAllText(ModuleManifest.PathAtRoot), reader.ReadToEnd());
    }

    [Fact]
    public void Nuspec_identifies_the_module_with_the_Gallery_tags_for_every_cmdlet()
    {
        using var zip = ZipFile.OpenRead(_built.Package);
        using var stream = zip.GetEntry("Dokkaa.nuspec")!.Open();
        var nuspec = XDocument.Load(stream);
        var ns = nuspec.Root!.Name.Namespace;
        var metadata = nuspec.Root.Element(ns + "metadata")!;
        string Meta(string name) => metadata.Element(ns + name)?.Value ?? throw new InvalidOperationException($"nuspec has no <{name}>");

        var manifest = ModuleManifest.Read();
        Assert.Equal("Dokkaa", Meta("id"));
        Assert.Equal(_built.Version, Meta("version"));
        Assert.Equal(manifest.Description, Meta("description"));
        Assert.Equal(manifest.ProjectUri, Meta("projectUrl"));
        Assert.Equal(manifest.LicenseUri, Meta("licenseUrl"));
        Assert.Equal(manifest.ReleaseNotes, Meta("releaseNotes"));

        var tags = Meta("tags").Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        Assert.Contains("PSModule", tags);
        Assert.Contains("PSIncludes_Cmdlet", tags);
        Assert.Contains("PSEdition_Core", tags);
        foreach (var cmdlet in manifest.CmdletsToExport)
        {
            Assert.Contains($"PSCmdlet_{cmdlet}", tags);
            Assert.Contains($"PSCommand_{cmdlet}", tags);
        }

        Assert.Equal(manifest.CmdletsToExport.Order(StringComparer.Ordinal), tags.Where(t => t.StartsWith("PSCmdlet_", StringComparison.Ordinal)).Select(t => t["PSCmdlet_".Length..]).Order(StringComparer.Ordinal));
        Assert.All(manifest.Tags, t => Assert.Contains(t, tags));
    }
}
