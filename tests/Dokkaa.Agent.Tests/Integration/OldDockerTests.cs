using Dokkaa.Agent.Docker;
using Dokkaa.Agent.Hosting;
using Dokkaa.Agent.Tests.Fixtures;
using Microsoft.Extensions.Logging;
using Xunit;
using Xunit.Abstractions;

namespace Dokkaa.Agent.Tests.Integration;

/// <summary>An agent whose daemon is older than the Engine API it pins.</summary>
[Collection(AgentCollection.Name)]
public sealed class OldDockerTests : IClassFixture<DockerFixture>
{
    private readonly DockerFixture _docker;
    private readonly ITestOutputHelper _output;

    public OldDockerTests(DockerFixture docker, ITestOutputHelper output)
    {
        _docker = docker;
        _output = output;
    }

    [Fact]
    public async Task An_agent_whose_daemon_is_too_old_stops_at_once_saying_why()
    {
        // This dockerd speaks up to API 1.41; a client that asks for 1.42 meets it as Dokkaa would meet a
        // daemon older than 20.10. The agent must not wait for Docker forever: waiting does not fix a version.
        using var docker = DockerClient.Create(DockerEndpoint.Parse(_docker.Endpoint), DockerClientOptions.Default, new Version(1, 42));
        // etcd is never reached: the Docker check comes first. Port 1 on loopback refuses at once if it were.
        using var etcd = Dokkaa.Etcd.EtcdClients.Create("http://127.0.0.1:1");
        using var logs = LoggerFactory.Create(b => b.AddProvider(new XunitLoggerProvider(_output, "old-docker")));
        var dataDir = Directory.CreateTempSubdirectory("dokkaa-agent-").FullName;
        try
        {
            var options = new AgentOptions
            {
                HostId = "h" + Guid.NewGuid().ToString("N")[..8],
                HostIp = "127.0.0.1",
                DataDir = dataDir,
                HttpListen = [],
                DnsListen = [],
            };
            var host = new AgentHost(options, etcd, docker, logs);
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));

            var error = await Assert.ThrowsAsync<DockerTooOldException>(() => host.RunAsync(deadline.Token));

            Assert.Contains("too old for Dokkaa", error.Message);
            Assert.Contains("Docker 20.10 or newer", error.Message);
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }
}
