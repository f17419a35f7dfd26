using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Dokkaa.Agent.Docker;
using Dokkaa.Agent.Hosting;
using Dokkaa.Core.Cluster;
using Dokkaa.Etcd;
using Dokkaa.Testing;
using Microsoft.Extensions.Logging;
using Xunit;
using Xunit.Abstractions;

namespace Dokkaa.Agent.Tests.Integration;

/// <summary>
/// How an agent stops, against a real etcd and the machine's dockerd: on SIGTERM it ends its loops and exits 0; when
/// one of its loops fails it stops the others and ends with that failure (so a supervisor restarts it). Either way
/// its lease stays: an agent back within the TTL adopts its containers.
/// </summary>
[Collection(AgentCollection.Name)]
public sealed class AgentStopTests : IClassFixture<EtcdFixture>
{
    private readonly EtcdServer _etcd;
    private readonly ITestOutputHelper _output;

    public AgentStopTests(EtcdFixture etcd, ITestOutputHelper output)
    {
        _etcd = etcd.Server;
        _output = output;
    }

    [Fact]
    public async Task On_SIGTERM_the_agent_process_stops_and_exits_0_keeping_its_lease()
    {
        var hostId = "h" + Guid.NewGuid().ToString("N")[..8];
        var dataDir = Directory.CreateTempSubdirectory("dokkaa-agent-").FullName;
        using var client = EtcdClients.Create(_etcd.Endpoint);
        var info = new ProcessStartInfo(RepoPaths.Agent) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[] { "--etcd", _etcd.Endpoint, "--host-id", hostId, "--host-ip", "127.0.0.1", "--data-dir", dataDir, "--dns-listen", "none", "--http-listen", "none" })
            info.ArgumentList.Add(arg);
        var lines = new ConcurrentQueue<string>();
        using var process = Process.Start(info)!;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lines.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lines.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            // Stopped once running, not while starting (a SIGTERM during start-up ends it before it says "stopped").
            await Poll.UntilAsync(() => lines.Any(l => l.Contains("Dokkaa agent ready", StringComparison.Ordinal)) || process.HasExited, "the agent to be ready");
            Assert.False(process.HasExited, string.Join('\n', lines));
            Assert.Single((await client.RangeAsync(KeyLayout.Host(hostId))).Kvs);

            await ProcessRunner.RunAsync("kill", "-TERM", process.Id.ToString(CultureInfo.InvariantCulture));
            await Poll.UntilAsync(() => process.HasExited, "the agent to exit after SIGTERM");
            await process.WaitForExitAsync();

            foreach (var line in lines)
                _output.WriteLine(line);
            Assert.Equal(0, process.ExitCode);
            Assert.Contains(lines, l => l.Contains("Dokkaa agent stopped", StringComparison.Ordinal));
            Assert.Single((await client.RangeAsync(KeyLayout.Host(hostId))).Kvs);
        }
        finally
        {
            if (!process.HasExited)
                process.Kill(entireProcessTree: true);
            await client.DeleteAsync(KeyLayout.Host(hostId));
            Directory.Delete(dataDir, recursive: true);
        }
    }

    [Fact]
    public async Task A_loop_that_fails_stops_the_agent_which_ends_with_that_failure()
    {
        var hostId = "h" + Guid.NewGuid().ToString("N")[..8];
        var dataDir = Directory.CreateTempSubdirectory("dokkaa-agent-").FullName;
        using var client = EtcdClients.Create(_etcd.Endpoint);
        using var etcd = new InterceptingEtcd(EtcdClients.Create(_etcd.Endpoint));
        using var docker = DockerClient.FromEndpoint("unix:///var/run/docker.sock");
        using var logs = LoggerFactory.Create(b => b.AddProvider(new XunitLoggerProvider(_output, hostId)));
        var options = new AgentOptions { HostId = hostId, HostIp = "127.0.0.1", DataDir = dataDir, HttpListen = [], DnsListen = [] };
        var host = new AgentHost(options, etcd, docker, logs);
        using var stop = new CancellationTokenSource();
        var run = host.RunAsync(stop.Token);
        try
        {
            await Poll.UntilAsync(() => host.Ready.IsCompleted || run.IsCompleted, "the agent's first pass");
            Assert.False(run.IsCompleted, run.Exception?.ToString());

            // The view's loop meets a bug with the next watch event: the agent must not limp on without a view.
            var bug = new InvalidOperationException("a bug in the view's loop");
            etcd.WatchFailure = bug;
            await client.PutAsync($"/test/agent-stop/{hostId}", "{}");

            var ended = await Assert.ThrowsAsync<InvalidOperationException>(() => run);
            Assert.Same(bug, ended);
            Assert.Single((await client.RangeAsync(KeyLayout.Host(hostId))).Kvs);
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAny(run);
            await client.DeleteAsync($"/test/agent-stop/{hostId}");
            await client.DeleteAsync(KeyLayout.Host(hostId));
            Directory.Delete(dataDir, recursive: true);
        }
    }
}
