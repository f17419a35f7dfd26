using Dokkaa.Agent.Docker;
using Dokkaa.Testing;

namespace Dokkaa.Agent.Tests.Fixtures;

/// <summary>
/// Makes sure <see cref="Name"/> exists on the daemon under test, building it (<see cref="TestImage.BuildAsync"/>)
/// when it does not. Once per test run and daemon.
/// </summary>
public static class DockerTestImage
{
    public const string Name = TestImage.Name;

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
                await TestImage.BuildAsync(endpoint);
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
}
