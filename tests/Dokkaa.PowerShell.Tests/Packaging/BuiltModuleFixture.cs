using Dokkaa.Testing;
using Xunit;

namespace Dokkaa.PowerShell.Tests.Packaging;

/// <summary>Runs scripts/build-module.sh once, into a temporary folder, for every packaging test.</summary>
public sealed class BuiltModuleFixture : IAsyncLifetime
{
    public string OutDir { get; } = Directory.CreateTempSubdirectory("dokkaa-module-").FullName;

    public string Version { get; } = Metadata.ModuleManifestTests.BuildVersion();

    public string ModuleDir => Path.Combine(OutDir, "Dokkaa", Version);

    public string Package => Path.Combine(OutDir, $"Dokkaa.{Version}.nupkg");

    public ProcessRunner.Result Result { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Result = await ProcessRunner.RunAsync("bash", [Path.Combine(RepoPaths.Root, "scripts", "build-module.sh"), "--out", OutDir], timeout: TimeSpan.FromMinutes(5));
        Assert.True(Result.ExitCode == 0, $"build-module.sh failed ({Result.ExitCode}):\n{Result.All}");
    }

    public Task DisposeAsync()
    {
        Directory.Delete(OutDir, recursive: true);
        return Task.CompletedTask;
    }
}

[CollectionDefinition(Name)]
public sealed class BuiltModuleCollection : ICollectionFixture<BuiltModuleFixture>
{
    public const string Name = "built module";
}
