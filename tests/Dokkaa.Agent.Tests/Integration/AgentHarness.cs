using Dokkaa.Agent.Docker;
using Dokkaa.Agent.Hosting;
using Dokkaa.Core.Etcd;
using Dokkaa.Etcd;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Dokkaa.Agent.Tests.Integration;

/// <summary>
/// A real agent, in-process, against a real etcd and the machine's real dockerd, with its own host id
/// (so it only sees its own containers) and data directory. Restartable, to test adoption.
/// </summary>
public sealed class AgentHarness : IAsyncDisposable
{
    private readonly ITestOutputHelper _output;
    private readonly IEtcdClient _etcd;
    private readonly IDockerClient _docker;
    private readonly ILoggerFactory _logs;
    private CancellationTokenSource? _stop;
    private Task? _run;

    /// <param name="decorateEtcd">Wraps the agent's etcd client (fault injection: a slow etcd).</param>
    public AgentHarness(string etcdEndpoint, ITestOutputHelper output, Func<AgentOptions, AgentOptions>? configure = null, Func<IEtcdClient, IEtcdClient>? decorateEtcd = null)
    {
        _output = output;
        var id = "h" + Guid.NewGuid().ToString("N")[..8];
        var dataDir = Directory.CreateTempSubdirectory("dokkaa-agent-").FullName;
        // Temp directories are created 0700; nginx's workers (nobody) must reach the sockets inside, as they
        // can under /var/lib/dokkaa.
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(dataDir, (UnixFileMode)Convert.ToInt32("755", 8));
        var options = new AgentOptions
        {
            Etcd = EtcdClientOptions.Parse(etcdEndpoint),
            HostId = id,
            HostIp = "127.0.0.1",
            DataDir = dataDir,
            LeaseTtl = TimeSpan.FromSeconds(3),
            ResyncInterval = TimeSpan.FromSeconds(2),
            StopTimeout = TimeSpan.FromSeconds(2),
            UpdateStability = TimeSpan.FromSeconds(1),
            // Tests that want HTTP routing pass their own loopback port.
            HttpListen = Array.Empty<string>(),
            DnsListen = Array.Empty<string>(),
        };
        Options = configure is null ? options : configure(options);
        IEtcdClient etcd = EtcdClients.Create(etcdEndpoint);
        _etcd = decorateEtcd is null ? etcd : decorateEtcd(etcd);
        _docker = DockerClient.FromEndpoint(Options.Docker);
        _logs = LoggerFactory.Create(b => b.AddProvider(new XunitLoggerProvider(output, Options.HostId)));
    }

    public AgentOptions Options { get; }

    /// <summary>The etcd client the agent uses (decorated, when the test asked for it).</summary>
    public IEtcdClient GrpcEtcdClient => _etcd;

    public AgentHost? Host { get; private set; }

    public async Task StartAsync()
    {
        Host = new AgentHost(Options, _etcd, _docker, _logs);
        _stop = new CancellationTokenSource();
        _run = Task.Run(() => Host.RunAsync(_stop.Token));
        var ready = await Task.WhenAny(Host.Ready, _run, Task.Delay(TimeSpan.FromSeconds(60))).ConfigureAwait(false);
        if (ready != Host.Ready)
        {
            if (_run.IsFaulted)
                await _run.ConfigureAwait(false);
            throw new TimeoutException($"agent {Options.HostId} did not become ready");
        }
    }

    public async Task StopAsync()
    {
        if (_stop is null || _run is null)
            return;
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _run.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
        _stop = null;
        _run = null;
    }

    /// <summary>True while the agent's loops run (a crash would end them).</summary>
    public bool IsRunning => _run is { IsCompleted: false };

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _etcd.Dispose();
        _docker.Dispose();
        _logs.Dispose();
        try
        {
            Directory.Delete(Options.DataDir, recursive: true);
        }
        catch (IOException)
        {
        }

        _ = _output;
    }
}
