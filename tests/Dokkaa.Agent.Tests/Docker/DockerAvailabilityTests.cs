using System.Net;
using System.Net.Sockets;
using Dokkaa.Agent.Docker;
using Dokkaa.Agent.Tests.Fixtures;
using Xunit;

namespace Dokkaa.Agent.Tests.Docker;

/// <summary>Reaching the daemon, and failing clearly when it cannot be reached.</summary>
public sealed class DockerAvailabilityTests : IClassFixture<DockerFixture>
{
    private readonly DockerFixture _docker;

    public DockerAvailabilityTests(DockerFixture docker) => _docker = docker;

    [Fact]
    public async Task Ping_answers()
    {
        await _docker.Client.PingAsync();
    }

    [Fact]
    public async Task A_socket_that_does_not_exist_is_unavailable_and_named()
    {
        var endpoint = $"unix:///tmp/dokkaa-test-{Guid.NewGuid():N}/docker.sock";
        using var client = DockerClient.FromEndpoint(endpoint);

        var error = await Assert.ThrowsAsync<DockerUnavailableException>(() => client.PingAsync());
        await Assert.ThrowsAsync<DockerUnavailableException>(() => client.ListContainersAsync(new Dictionary<string, string?>()));
        await Assert.ThrowsAsync<DockerUnavailableException>(async () =>
        {
            await foreach (var _ in client.EventsAsync(new Dictionary<string, string?>()))
            {
            }
        });

        Assert.Contains(endpoint, error.Message);
        Assert.Contains("does not exist", error.Message);
    }

    [Fact]
    public async Task A_closed_tcp_port_is_unavailable_and_named()
    {
        using var client = DockerClient.FromEndpoint("tcp://127.0.0.1:1");

        var error = await Assert.ThrowsAsync<DockerUnavailableException>(() => client.PingAsync());

        Assert.Contains("tcp://127.0.0.1:1", error.Message);
    }

    [Fact]
    public async Task A_daemon_older_than_the_api_asked_for_is_refused_with_a_clear_error()
    {
        // Dokkaa pins API 1.41 (this machine's dockerd 20.10 speaks up to 1.41); asking this daemon for 1.42
        // stands in for running Dokkaa against a daemon older than 20.10, which cannot be installed here.
        using var client = DockerClient.Create(DockerEndpoint.Parse(_docker.Endpoint), DockerClientOptions.Default, new Version(1, 42));

        var error = await Assert.ThrowsAsync<DockerTooOldException>(() => client.PingAsync());
        var listError = await Assert.ThrowsAsync<DockerTooOldException>(() => client.ListContainersAsync(new Dictionary<string, string?>()));

        Assert.Contains("too old for Dokkaa", error.Message);
        Assert.Contains("Maximum supported API version is 1.41", error.Message);
        Assert.Contains("Docker Engine API 1.41", error.Message);
        Assert.Contains(_docker.Endpoint, error.Message);
        Assert.Equal(error.Message, listError.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("npipe:////./pipe/docker_engine")]
    [InlineData("unix://relative.sock")]
    public void Unsupported_endpoints_are_refused(string endpoint)
    {
        Assert.ThrowsAny<ArgumentException>(() => DockerClient.FromEndpoint(endpoint));
    }

    [Fact]
    public async Task The_bridge_gateway_is_an_IPv4_address()
    {
        var gateway = await _docker.Client.GetNetworkGatewayAsync();

        Assert.NotNull(gateway);
        Assert.True(IPAddress.TryParse(gateway, out var address), gateway);
        Assert.Equal(AddressFamily.InterNetwork, address.AddressFamily);
    }

    [Fact]
    public async Task The_gateway_of_a_missing_network_is_null()
    {
        Assert.Null(await _docker.Client.GetNetworkGatewayAsync($"dokkaa-test-missing-{Guid.NewGuid():N}"));
    }
}
