using System.Text.RegularExpressions;
using Dokkaa.PowerShell.Tests.Metadata;
using Dokkaa.Testing;
using Xunit;

namespace Dokkaa.PowerShell.Tests.Packaging;

/// <summary>
/// The Pester suite cannot run here (no pwsh). What can be checked is checked: the runner says plainly
/// that it skipped, and the suite exercises every exported cmdlet.
/// </summary>
public sealed class PesterSuiteTests
{
    private static string PesterDir => Path.Combine(RepoPaths.Root, "tests", "Pester");

    [Fact]
    public async Task Runner_says_plainly_that_it_skipped_when_pwsh_is_not_on_PATH()
    {
        var path = string.Join(':', (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':')
            .Where(dir => dir.Length > 0 && !File.Exists(Path.Combine(dir, "pwsh"))));
        var result = await ProcessRunner.RunAsync("/bin/bash", [Path.Combine(PesterDir, "run.sh")], env: new Dictionary<string, string> { ["PATH"] = path });
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("Pester suite skipped: pwsh not found\n", result.StdOut);
        Assert.Equal("", result.StdErr);
    }

    [Fact]
    public void Suite_exercises_every_exported_cmdlet()
    {
        var suite = string.Concat(Directory.GetFiles(PesterDir, "*.Tests.ps1").Select(File.ReadAllText));
        var missing = ModuleManifest.Read().CmdletsToExport.Where(c => !Regex.IsMatch(suite, $@"(?<![\w-]){Regex.Escape(c)}\b")).ToList();
        Assert.Empty(missing);
    }
}
