using System.Diagnostics;
using Dokkaa.Agent.Docker;

namespace Dokkaa.Agent.Tests.Fixtures;

/// <summary>
/// Makes sure <see cref="Name"/> exists on the daemon, building it with scripts/images/build-test-image.sh
/// when it does not (no registry can be reached, so it cannot be pulled). Once per test run and daemon.
/// </summary>
public static class DockerTestImage
{
    public const string Name = "dokkaa/busybox:test";

    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static readonly HashSet<string> Ready = new(StringComparer.Ordinal);

    public static async Task EnsureAsync(IDockerClient client, string endpoint)
    {
        await Gate.WaitAsync();
        try
        {
            if (Ready.Contains(endpoint))
                return;
            if (!await client.ImageExistsAsync(Name))
            {
                await BuildAsync(endpoint);
                if (!await client.ImageExistsAsync(Name))
                    throw new InvalidOperationException($"build-test-image.sh succeeded but {Name} is still missing on {endpoint}");
            }

            Ready.Add(endpoint);
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>The repository root: the nearest folder above the test binaries that holds Dokkaa.sln.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Dokkaa.sln")))
                return dir.FullName;
        }

        throw new InvalidOperationException($"no Dokkaa.sln above {AppContext.BaseDirectory}");
    }

    private static async Task BuildAsync(string endpoint)
    {
        var script = Path.Combine(RepositoryRoot(), "scripts", "images", "build-test-image.sh");
        var start = new ProcessStartInfo("bash", [script])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // The script talks to the same daemon as the tests.
        start.Environment["DOCKER_HOST"] = endpoint;
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start bash {script}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{script} did not finish within 2 minutes");
        }

        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{script} failed ({process.ExitCode}):\n{await stdout}\n{await stderr}");
    }
}
