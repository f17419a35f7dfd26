using Dokkaa.Agent.Docker;
using Xunit;

namespace Dokkaa.Agent.Tests.Fixtures;

/// <summary>
/// A client for the real daemon ($DOCKER_HOST, else /var/run/docker.sock) with the test image in place.
/// Tests take a <see cref="NewScope"/> each; on dispose the fixture also removes every container
/// carrying its run label, in case a test died before its scope could clean up.
/// </summary>
public sealed class DockerFixture : IAsyncLifetime
{
    public const string RunLabel = "io.dokkaa.test.run";

    public DockerFixture()
    {
        Client = DockerClient.FromEnvironment();
        RunId = Guid.NewGuid().ToString("N")[..12];
    }

    public DockerClient Client { get; }

    /// <summary>The daemon's endpoint, as DOCKER_HOST would name it.</summary>
    public string Endpoint => Client.Endpoint;

    /// <summary>Unique per fixture instance (per test class); the value of <see cref="RunLabel"/>.</summary>
    public string RunId { get; }

    public IReadOnlyDictionary<string, string> RunLabels => new Dictionary<string, string> { [RunLabel] = RunId };

    public DockerScope NewScope() => new(Client, RunLabels);

    public async Task InitializeAsync()
    {
        try
        {
            await Client.PingAsync();
        }
        catch (DockerUnavailableException ex)
        {
            throw new InvalidOperationException($"These tests need a Docker daemon: start one with `dockerd >/tmp/dockerd.log 2>&1 &`. {ex.Message}", ex);
        }

        await DockerTestImage.EnsureAsync(Client, Endpoint);
    }

    public async Task DisposeAsync()
    {
        try
        {
            var filter = new Dictionary<string, string?> { [RunLabel] = RunId };
            foreach (var container in await Client.ListContainersAsync(filter))
                await Client.RemoveContainerAsync(container.Id);
        }
        finally
        {
            Client.Dispose();
        }
    }
}
