using System.Reflection;
using System.Xml.Linq;
using Xunit;

namespace Dokkaa.PowerShell.Tests.Metadata;

/// <summary>Dokkaa.psd1 at the root against the build version, the assembly and PowerShell Gallery rules.</summary>
public sealed class ModuleManifestTests
{
    private readonly ModuleManifest _manifest = ModuleManifest.Read();

    public static string BuildVersion()
    {
        var props = XDocument.Load(Path.Combine(Dokkaa.Testing.RepoPaths.Root, "Directory.Build.props"));
        return Assert.Single(props.Descendants("DokkaaVersion")).Value;
    }

    [Fact]
    public void ModuleVersion_is_the_one_DokkaaVersion_of_the_build()
    {
        Assert.Equal(BuildVersion(), _manifest.ModuleVersion);
        var informational = typeof(ManifestInput).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;
        Assert.StartsWith(BuildVersion(), informational, StringComparison.Ordinal);
    }

    [Fact]
    public void CmdletsToExport_is_exactly_the_cmdlet_classes_without_wildcards()
    {
        Assert.Equal(ModuleMetadata.Cmdlets.Select(c => c.Name).Order(StringComparer.Ordinal), _manifest.CmdletsToExport.Order(StringComparer.Ordinal));
        Assert.DoesNotContain(_manifest.CmdletsToExport, c => c.Contains('*', StringComparison.Ordinal));
        Assert.Empty(_manifest.FunctionsToExport);
        Assert.Empty(_manifest.AliasesToExport);
        Assert.Empty(_manifest.VariablesToExport);
    }

    [Fact]
    public void Targets_PowerShell_7_4_Core_and_loads_the_binary_module()
    {
        Assert.Equal(["Core"], _manifest.CompatiblePSEditions);
        Assert.Equal("7.4", _manifest.PowerShellVersion);
        Assert.Equal(Path.GetFileName(ModuleMetadata.AssemblyPath), _manifest.RootModule);
        // Only Dokkaa.Core, whose types scripts name; the etcd client and its libraries load apart (Runtime/ModuleAssemblyResolver).
        Assert.Equal(["Dokkaa.Core.dll"], _manifest.RequiredAssemblies);
        Assert.Equal(["Dokkaa.Format.ps1xml"], _manifest.FormatsToProcess);
        Assert.True(System.Guid.TryParse(_manifest.Guid, out var guid) && guid != System.Guid.Empty);
    }

    [Fact]
    public void Has_what_the_PowerShell_Gallery_asks_for()
    {
        Assert.False(string.IsNullOrWhiteSpace(_manifest.Description));
        Assert.True(_manifest.Has("Author"));
        Assert.StartsWith("https://", _manifest.ProjectUri, StringComparison.Ordinal);
        Assert.StartsWith("https://", _manifest.LicenseUri, StringComparison.Ordinal);
        Assert.Contains("Dokkaa", _manifest.Tags);
        Assert.Contains("PSEdition_Core", _manifest.Tags);
        Assert.All(_manifest.Tags, t => Assert.DoesNotContain(' ', t));
    }
}
