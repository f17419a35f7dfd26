using Dokkaa.Agent.Docker;
using Dokkaa.Agent.Tests.Fixtures;
using Xunit;

namespace Dokkaa.Agent.Tests.Docker;

/// <summary>Image routes against the real daemon. Pulls only ever aim at a closed loopback port.</summary>
public sealed class DockerImageTests : IClassFixture<DockerFixture>
{
    private readonly DockerFixture _docker;

    public DockerImageTests(DockerFixture docker) => _docker = docker;

    [Fact]
    public async Task The_test_image_exists_and_a_made_up_one_does_not()
    {
        Assert.True(await _docker.Client.ImageExistsAsync(DockerTestImage.Name));
        Assert.False(await _docker.Client.ImageExistsAsync("dokkaa-test/does-not-exist:1"));
    }

    [Fact]
    public async Task Pull_of_an_image_from_an_unreachable_registry_fails_with_the_daemons_message()
    {
        // A registry at 127.0.0.1:1: the daemon's attempt stays on loopback and is refused at once.
        using var client = DockerClient.FromEndpoint(_docker.Endpoint, new DockerClientOptions { PullTimeout = TimeSpan.FromSeconds(30) });

        var error = await Assert.ThrowsAsync<DockerException>(() => client.PullImageAsync("127.0.0.1:1/nope:1"));

        Assert.IsNotType<DockerUnavailableException>(error);
        Assert.Contains("127.0.0.1:1", error.Message);
        Assert.Contains("pull of", error.Message);
    }
}
