using System.Net;
using Dokkaa.Agent.Ambassador;
using Dokkaa.Agent.Docker;
using Dokkaa.Agent.Fencing;
using Dokkaa.Agent.Membership;
using Dokkaa.Agent.Reconciliation;
using Dokkaa.Core.Cluster;
using Dokkaa.Core.Discovery;
using Dokkaa.Core.Etcd;
using Dokkaa.Core.Threading;
using Dokkaa.Dns;
using Dokkaa.WebConsole.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Dokkaa.Agent.Hosting;

/// <summary>
/// The agent's start and stop around its loops. Start order matters: the full cluster state is read before the first
/// reconcile pass, so an agent never mistakes "not loaded yet" for "deleted"; the loops (Hosting/Loops) start only
/// after this service's start finished. Stop order matters too: every loop has ended before the fence record says the
/// agent stopped and before nginx, the console, DNS and the ambassador go (<see cref="StoppedAsync"/>).
/// Deliberately no lease revoke: containers keep running, and an agent that comes back within the TTL adopts them
/// without a restart. A host that stays away loses its claims when the lease expires.
/// </summary>
internal sealed class AgentStartup : IHostedLifecycleService
{
    private readonly AgentOptions _options;
    private readonly IEtcdClient _etcd;
    private readonly IDockerClient _docker;
    private readonly ILoggerFactory _logs;
    private readonly TimeProvider _clock;
    private readonly DateTimeOffset _startedAt = DateTimeOffset.UtcNow;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private AgentRuntime? _runtime;

    // Read by the host record from the first registration on; set while starting.
    private volatile HttpRouting? _http;
    private volatile FenceLauncher? _fenceLauncher;

    public AgentStartup(AgentOptions options, IEtcdClient etcd, IDockerClient docker, ILoggerFactory logs, TimeProvider clock)
    {
        _options = options;
        _etcd = etcd;
        _docker = docker;
        _logs = logs;
        _clock = clock;
        Log = logs.CreateLogger("dokkaa.agent");
        View = new ClusterView(etcd);
        Membership = new HostMembership(etcd, options.HostId, options.LeaseTtl, DescribeHost, logs.CreateLogger("dokkaa.membership"), clock);
    }

    public ILogger Log { get; }

    public ClusterView View { get; }

    public HostMembership Membership { get; }

    /// <summary>Completes when the agent has registered and finished its first reconcile pass.</summary>
    public Task Ready => _ready.Task;

    public AgentRuntime Runtime => _runtime ?? throw new InvalidOperationException("the agent has not started");

    /// <summary>The web console, once started; null when off or failed.</summary>
    public ConsoleServer? Console => _runtime?.Console;

    public static string AgentVersion =>
        typeof(AgentStartup).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        Log.LogInformation("Dokkaa agent {Version} starting as host {Host} ({Address})", AgentVersion, _options.HostId, _options.HostIp);
        await WaitForDockerAsync(cancellationToken).ConfigureAwait(false);
        await LoadViewAsync(cancellationToken).ConfigureAwait(false);
        await Membership.RegisterAsync(cancellationToken).ConfigureAwait(false);

        var gateway = await BridgeGatewayAsync(cancellationToken).ConfigureAwait(false);
        AmbassadorServer? ambassador = null;
        DnsServer? dns = null;
        HttpRouting? http = null;
        ConsoleServer? console = null;
        try
        {
            ambassador = StartAmbassador(gateway);
            dns = ContainerDnsServer.Start(_options, View, gateway, _logs);
            var containerDns = ContainerDnsServer.ForContainers(dns, gateway);
            var backoff = new RestartBackoff();
            var claims = new ClaimStore(_etcd);
            var fenceLauncher = new FenceLauncher(new[] { "--data-dir", _options.DataDir, "--docker", _options.Docker }, _logs.CreateLogger("dokkaa.fence"));
            _fenceLauncher = fenceLauncher;
            var beacon = new FenceBeacon(Membership, new FenceFiles(_options.DataDir), fenceLauncher, _logs.CreateLogger("dokkaa.fence"), MonotonicClock.BootId());
            Membership.Renewed += beacon.Renewed;
            var fence = new ExclusiveFence(Membership, View, _docker, _logs.CreateLogger("dokkaa.fence"), _clock, beacon);
            var reconcilerOptions = ReconcilerOptions();
            var operations = new InstanceOperations(reconcilerOptions, _docker, claims, Membership, ambassador, backoff, _logs.CreateLogger("dokkaa.instances"), _clock, containerDns, fence);
            var reconciler = new Reconciler(reconcilerOptions, View, Membership, _docker, claims, operations, backoff, fence, _logs.CreateLogger("dokkaa.reconciler"), _clock, ambassador);

            var publisher = new HostRecordPublisher(Membership, _logs.CreateLogger("dokkaa.membership"));
            fenceLauncher.ProblemChanged += publisher.Wake;
            http = new HttpRouting(_options, View, _logs, _clock);
            _http = http;
            await http.TryStartAsync(publisher, cancellationToken).ConfigureAwait(false);
            console = await AgentConsole.StartAsync(_options, _etcd, View, Log, cancellationToken).ConfigureAwait(false);
            View.Changed += _ => reconciler.Wake();
            Membership.LeaseChanged += reconciler.Wake;
            fenceLauncher.Running += reconciler.Wake;
            _runtime = new AgentRuntime(reconciler, fence, beacon, publisher, http, ambassador, dns, console);
            _ = reconciler.FirstPass.ContinueWith(_ =>
            {
                // An operator (and a supervisor script) can tell "up and converging" from "still starting".
                Log.LogInformation("Dokkaa agent ready: registered, first reconcile pass done");
                _ready.TrySetResult();
            }, TaskScheduler.Default);
        }
        catch
        {
            // The loops never ran: close what was opened, in the same order as a stop.
            await CloseAsync(http, console, dns, ambassador).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>After every loop has stopped (the host stops them first).</summary>
    public async Task StoppedAsync(CancellationToken cancellationToken)
    {
        if (_runtime is not { } runtime)
            return;
        Membership.Renewed -= runtime.Beacon.Renewed;
        runtime.Beacon.AgentStopped();
        await CloseAsync(runtime.Http, runtime.Console, runtime.Dns, runtime.Ambassador).ConfigureAwait(false);
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static async Task CloseAsync(HttpRouting? http, ConsoleServer? console, DnsServer? dns, AmbassadorServer? ambassador)
    {
        if (http is not null)
            await http.DisposeAsync().ConfigureAwait(false);
        if (console is not null)
            await console.DisposeAsync().ConfigureAwait(false);
        if (dns is not null)
            await dns.DisposeAsync().ConfigureAwait(false);
        if (ambassador is not null)
            await ambassador.DisposeAsync().ConfigureAwait(false);
    }

    private HostRecord DescribeHost() => new()
    {
        Address = _options.HostIp,
        AgentVersion = AgentVersion,
        StartedAt = _startedAt,
        Capacity = _options.Capacity,
        MilliCpus = _options.MilliCpus,
        MemoryBytes = _options.MemoryBytes,
        Labels = _options.Labels,
        HeartbeatAt = _clock.GetUtcNow(),
        HttpError = _http?.Error,
        FenceError = _fenceLauncher?.Problem,
        HttpRouteErrors = _http?.Nginx?.RouteErrors is { Count: > 0 } errors ? errors.ToDictionary(e => e.Key.ToString(), e => e.Value) : null,
    };

    private async Task WaitForDockerAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                await _docker.PingAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
            // A daemon too old for API 1.41 will not become right by waiting: the agent stops with the reason.
            catch (DockerException e) when (e is not DockerTooOldException && !cancellationToken.IsCancellationRequested)
            {
                Log.LogWarning("Waiting for Docker at {Endpoint}: {Error}", _options.Docker, e.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task LoadViewAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                await View.LoadAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (EtcdException e) when (!cancellationToken.IsCancellationRequested)
            {
                Log.LogWarning("Waiting for etcd at {Endpoints}: {Error}", string.Join(",", _options.Etcd.Endpoints), e.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task<IPAddress?> BridgeGatewayAsync(CancellationToken cancellationToken)
    {
        var text = await _docker.GetNetworkGatewayAsync("bridge", cancellationToken).ConfigureAwait(false);
        return text is not null && IPAddress.TryParse(text, out var address) ? address : null;
    }

    private AmbassadorServer StartAmbassador(IPAddress? gateway)
    {
        var address = _options.AmbassadorAddress is { } configured ? IPAddress.Parse(configured) : gateway ?? IPAddress.Loopback;
        var book = new AmbassadorPortBook(_options.DataDir, _options.AmbassadorPortFirst, _options.AmbassadorPortLast);
        return new AmbassadorServer(address, book, (service, app) => ServiceResolver.Resolve(View.Current, service, app), _options.HostId, _logs.CreateLogger("dokkaa.ambassador"));
    }

    /// <summary>The part of the agent's options the reconciler decides with.</summary>
    private ReconcilerOptions ReconcilerOptions() => new()
    {
        HostIp = _options.HostIp,
        ClaimStagger = _options.ClaimStagger,
        ResyncInterval = _options.ResyncInterval,
        StopTimeout = _options.StopTimeout,
        UpdateStability = _options.UpdateStability,
        ContainerDefaults = _options.ContainerDefaults,
        MaxParallelOperations = _options.MaxParallelOperations,
    };
}
