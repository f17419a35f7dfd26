using Xunit;

namespace Dokkaa.Testing;

/// <summary>
/// The image the integration tests run: busybox-static with the test programs, built offline by
/// scripts/images/build-test-image.sh (no registry can be reached here, so it cannot be pulled).
/// </summary>
public static class TestImage
{
    public const string Name = "dokkaa/busybox:test";

    /// <summary>Builds the image in the machine's daemon if it is not there (the cluster tests copy it to every host from there).</summary>
    public static async Task EnsureOnMachineAsync()
    {
        // Other test assemblies restart the machine's dockerd; wait for it rather than fail.
        await Poll.UntilAsync(async () => (await ProcessRunner.RunAsync("docker", "version")).ExitCode == 0, "the machine's dockerd to answer", TimeSpan.FromSeconds(60));
        if ((await ProcessRunner.RunAsync("docker", "image", "inspect", Name)).ExitCode == 0)
            return;
        await BuildAsync();
    }

    /// <summary>Runs the build script against <paramref name="dockerHost"/> (a DOCKER_HOST value), or the machine's daemon when null.</summary>
    public static async Task BuildAsync(string? dockerHost = null)
    {
        var script = Path.Combine(RepoPaths.Root, "scripts", "images", "build-test-image.sh");
        var env = dockerHost is null ? null : new Dictionary<string, string> { ["DOCKER_HOST"] = dockerHost };
        var build = await ProcessRunner.RunAsync("bash", new[] { script }, timeout: TimeSpan.FromMinutes(2), env: env);
        Assert.True(build.ExitCode == 0, $"{script} failed ({build.ExitCode}): {build.All}");
    }
}
