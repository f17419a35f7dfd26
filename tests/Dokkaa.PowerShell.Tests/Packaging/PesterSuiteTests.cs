using System.Text.RegularExpressions;
using Dokkaa.PowerShell.Tests.Metadata;
using Dokkaa.Testing;
using Xunit;

namespace Dokkaa.PowerShell.Tests.Packaging;

/// <summary>The Pester suite (tests/Pester, run in a real pwsh by the test command) exercises every exported cmdlet.</summary>
public sealed class PesterSuiteTests
{
    private static string PesterDir => Path.Combine(RepoPaths.Root, "tests", "Pester");

    [Fact]
    public void Suite_exercises_every_exported_cmdlet()
    {
        var suite = string.Concat(Directory.GetFiles(PesterDir, "*.Tests.ps1").Select(File.ReadAllText));
        var missing = ModuleManifest.Read().CmdletsToExport.Where(c => !Regex.IsMatch(suite, $@"(?<![\w-]){Regex.Escape(c)}\b")).ToList();
        Assert.Empty(missing);
    }
}
