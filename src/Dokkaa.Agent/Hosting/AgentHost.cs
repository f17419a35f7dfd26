using System.Net;
using System.Net.Sockets;
using Dokkaa.Agent.Ambassador;
using Dokkaa.Agent.Docker;
using Dokkaa.Agent.Fencing;
using Dokkaa.Agent.Http;
using Dokkaa.Agent.Membership;
using Dokkaa.Agent.Reconciliation;
using Dokkaa.Core.Cluster;
using Dokkaa.Core.Discovery;
using Dokkaa.Core.Etcd;
using Dokkaa.Core.Threading;
using Dokkaa.Dns;
using Dokkaa.WebConsole.Hosting;
using Microsoft.Extensions.Logging;

namespace Dokkaa.Agent.Hosting;

/// <summary>
/// One Dokkaa host: wires the cluster view, membership, reconciler, ambassador and Docker event feed,
/// and runs them until cancelled. Startup order matters: the full cluster state is read before the first
/// reconcile pass, so an agent never mistakes "not loaded yet" for "deleted".
/// </summary>
public sealed class AgentHost
{
    private readonly AgentOptions _options;
    private readonly IEtcdClient _etcd;
    private readonly IDockerClient _docker;
    private readonly ILoggerFactory _logs;
    private readonly ILogger _log;
    private readonly TimeProvider _clock;

    public AgentHost(AgentOptions options, IEtcdClient etcd, IDockerClient docker, ILoggerFactory logs, TimeProvider? clock = null)
    {
        _options = options;
        _etcd = etcd;
        _docker = docker;
        _logs = logs;
        _log = logs.CreateLogger("dokkaa.agent");
        _clock = clock ?? TimeProvider.System;
        View = new ClusterView(etcd);
        Membership = new HostMembership(etcd, options.HostId, options.LeaseTtl, DescribeHost, logs.CreateLogger("dokkaa.membership"), _clock);
    }

    public ClusterView View { get; }

    /// <summary>The web console and API this agent serves (<c>--console</c>), once started; null when off or failed.</summary>
    public ConsoleServer? Console { get; private set; }

    public HostMembership Membership { get; }

    /// <summary>Completes when the agent has registered and finished its first reconcile pass.</summary>
    public Task Ready => _ready.Task;

    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly DateTimeOffset _startedAt = DateTimeOffset.UtcNow;

    // What the host record says about HTTP routing: set once nginx started (or could not).
    private volatile NginxSupervisor? _nginx;

    // Set in RunAsync; the host record carries its Problem.
    private volatile FenceLauncher? _fenceLauncher;
    private volatile string? _httpError;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        _log.LogInformation("Dokkaa agent {Version} starting as host {Host} ({Address})", AgentVersion, _options.HostId, _options.HostIp);
        await WaitForDockerAsync(cancellationToken).ConfigureAwait(false);
        await LoadViewAsync(cancellationToken).ConfigureAwait(false);
        await Membership.RegisterAsync(cancellationToken).ConfigureAwait(false);

        var gateway = await BridgeGatewayAsync(cancellationToken).ConfigureAwait(false);
        await using var ambassador = StartAmbassador(gateway);
        await using var dns = StartDns(gateway);
        var containerDns = ContainerDns(dns, gateway);
        var backoff = new RestartBackoff();
        var claims = new ClaimStore(_etcd);
        var fenceLauncher = new FenceLauncher(new[] { "--data-dir", _options.DataDir, "--docker", _options.Docker }, _logs.CreateLogger("dokkaa.fence"));
        _fenceLauncher = fenceLauncher;
        var beacon = new FenceBeacon(Membership, new FenceFiles(_options.DataDir), fenceLauncher, _logs.CreateLogger("dokkaa.fence"), MonotonicClock.BootId());
        Membership.Renewed += beacon.Renewed;
        var fence = new ExclusiveFence(Membership, View, _docker, _logs.CreateLogger("dokkaa.fence"), _clock, beacon);
        var reconcilerOptions = new ReconcilerOptions
        {
            HostIp = _options.HostIp,
            ClaimStagger = _options.ClaimStagger,
            ResyncInterval = _options.ResyncInterval,
            StopTimeout = _options.StopTimeout,
            UpdateStability = _options.UpdateStability,
            ContainerDefaults = _options.ContainerDefaults,
            MaxParallelOperations = _options.MaxParallelOperations,
        };
        var operations = new InstanceOperations(reconcilerOptions, _docker, claims, Membership, ambassador, backoff, _logs.CreateLogger("dokkaa.instances"), _clock, containerDns, fence);
        var reconciler = new Reconciler(reconcilerOptions, View, Membership, _docker, claims, operations, backoff, fence, _logs.CreateLogger("dokkaa.reconciler"), _clock, ambassador);

        var publisher = new HostRecordPublisher(Membership, _logs.CreateLogger("dokkaa.membership"));
        fenceLauncher.ProblemChanged += publisher.Wake;
        await TryStartNginxAsync(publisher, cancellationToken).ConfigureAwait(false);
        await using var console = await StartConsoleAsync(cancellationToken).ConfigureAwait(false);
        Console = console;
        View.Changed += _ => reconciler.Wake();
        Membership.LeaseChanged += reconciler.Wake;
        fenceLauncher.Running += reconciler.Wake;

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var loops = new[]
        {
            View.FollowAsync(stop.Token),
            Membership.KeepAliveAsync(stop.Token),
            reconciler.RunAsync(stop.Token),
            FollowDockerEventsAsync(reconciler, stop.Token),
            fence.RunAsync(stop.Token),
            publisher.RunAsync(stop.Token),
            KeepTryingNginxAsync(publisher, stop.Token),
        };
        _ = reconciler.FirstPass.ContinueWith(_ => _ready.TrySetResult(), TaskScheduler.Default);

        Task ended;
        try
        {
            ended = await Task.WhenAny(loops).ConfigureAwait(false);
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(loops.Select(IgnoreCancellation)).ConfigureAwait(false);
            Membership.Renewed -= beacon.Renewed;
            beacon.AgentStopped();
            if (_nginx is { } nginx)
                await nginx.DisposeAsync().ConfigureAwait(false);
        }

        if (ended.IsFaulted && !cancellationToken.IsCancellationRequested)
        {
            // A loop that dies is a bug, not a state to limp along in: say which, and exit so a supervisor restarts us.
            _log.LogCritical(ended.Exception, "Agent loop failed; stopping");
            await ended.ConfigureAwait(false);
        }

        // Deliberately no lease revoke: containers keep running, and an agent that comes back within the TTL
        // adopts them without a restart. A host that stays away loses its claims when the lease expires.
        _log.LogInformation("Dokkaa agent stopped");
    }

    public static string AgentVersion =>
        typeof(AgentHost).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

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
        HttpError = _httpError,
        FenceError = _fenceLauncher?.Problem,
        HttpRouteErrors = _nginx?.RouteErrors is { Count: > 0 } errors ? errors.ToDictionary(e => e.Key.ToString(), e => e.Value) : null,
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
                _log.LogWarning("Waiting for Docker at {Endpoint}: {Error}", _options.Docker, e.Message);
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
                _log.LogWarning("Waiting for etcd at {Endpoints}: {Error}", string.Join(",", _options.Etcd.Endpoints), e.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// The web console and API on the view this agent already follows. Like nginx, a console that cannot start
    /// (address taken) is logged and the agent goes on running its containers.
    /// </summary>
    private async Task<ConsoleServer?> StartConsoleAsync(CancellationToken cancellationToken)
    {
        if (_options.ConsoleListen is not { } listen)
            return null;
        var options = new ConsoleServerOptions
        {
            Listen = listen,
            AllowRemote = _options.ConsoleAllowRemote,
            Token = _options.ConsoleToken,
        };
        ConsoleServer server;
        try
        {
            server = await ConsoleServer.StartAsync(_etcd, options, View, cancellationToken).ConfigureAwait(false);
        }
        catch (ConsoleConfigurationException e)
        {
            _log.LogError("Web console not started: {Error}", e.Message);
            return null;
        }

        var tokenFile = ConsoleTokenFile.PathIn(_options.DataDir);
        if (!server.TokenGenerated)
        {
            _log.LogInformation("Web console and API on {Url}; writes need ${Variable}", server.Url, ConsoleCommand.TokenVariable);
            try
            {
                ConsoleTokenFile.Remove(_options.DataDir);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                _log.LogWarning("A token an earlier run generated could not be removed from {TokenFile} (it no longer works): {Error}", tokenFile, e.Message);
            }

            return server;
        }

        // The generated token goes to a file only this user can read, never into the log.
        try
        {
            ConsoleTokenFile.Write(_options.DataDir, server.Token);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A console whose token nobody can read would refuse every change: better not to serve it.
            await server.DisposeAsync().ConfigureAwait(false);
            _log.LogError("Web console not started: cannot write its generated token to {TokenFile}: {Error}", tokenFile, e.Message);
            return null;
        }

        _log.LogInformation("Web console and API on {Url}; writes need the token it generated, in {TokenFile} (mode 0600): open {Url}#token=<that token>", server.Url, tokenFile, server.Url);
        return server;
    }

    /// <summary>
    /// Starts nginx and connects it to the view and the host record; false (and the reason in the host record) when it
    /// cannot run. HTTP routing off by flag counts as started.
    /// </summary>
    private async Task<bool> TryStartNginxAsync(HostRecordPublisher publisher, CancellationToken cancellationToken)
    {
        if (_options.HttpListen.Count == 0)
            return true;
        var nginx = await StartNginxAsync(cancellationToken).ConfigureAwait(false);
        if (nginx is not null)
        {
            View.Changed += nginx.Update;
            nginx.RouteErrorsChanged += publisher.Wake;
            // Changes that arrived while it started.
            nginx.Update(View.Current);
            _httpError = null;
            _nginx = nginx;
        }

        publisher.Wake();
        return nginx is not null;
    }

    /// <summary>
    /// While nginx cannot run (its port taken, say), tries again with backoff (1 s doubling to 60 s), so routing comes
    /// back by itself once the cause is gone, and the status error with it.
    /// </summary>
    private async Task KeepTryingNginxAsync(HostRecordPublisher publisher, CancellationToken cancellationToken)
    {
        for (var attempt = 0; _nginx is null && _options.HttpListen.Count > 0; attempt++)
        {
            await Task.Delay(RetryDelay.After(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60), attempt), _clock, cancellationToken).ConfigureAwait(false);
            await TryStartNginxAsync(publisher, cancellationToken).ConfigureAwait(false);
        }

        // A loop that ends would end the agent: this one has nothing left to do.
        await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// nginx for the manifests' http hosts. A host that cannot run it (port taken, nginx missing) keeps
    /// running its containers and says why: HTTP routing is one face of the cluster, not its heart.
    /// </summary>
    private async Task<NginxSupervisor?> StartNginxAsync(CancellationToken cancellationToken)
    {
        if (_options.HttpListen.Count == 0)
            return null;
        var supervisor = new NginxSupervisor(
            new NginxOptions { StateDir = Path.Combine(_options.DataDir, "nginx"), Listen = _options.HttpListen },
            _logs.CreateLogger("dokkaa.nginx"));
        try
        {
            await supervisor.StartAsync(View.Current, cancellationToken).ConfigureAwait(false);
            _log.LogInformation("nginx serving http hosts on {Listen}", string.Join(", ", _options.HttpListen));
            return supervisor;
        }
        catch (NginxException e)
        {
            _log.LogError("HTTP routing is off on this host: {Error}", e.Message);
            _httpError = e.Message;
            await supervisor.DisposeAsync().ConfigureAwait(false);
            return null;
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

    /// <summary>
    /// The .container name server. By default it listens where containers can reach it (the bridge
    /// gateway, port 53) and on 127.0.0.1:53 for the host itself. A listener that cannot bind is reported and
    /// the agent runs on without it.
    /// </summary>
    private DnsServer? StartDns(IPAddress? gateway)
    {
        var listen = _options.DnsListen
                     ?? (gateway is null ? new[] { "127.0.0.1:53" } : new[] { $"{gateway}:53", "127.0.0.1:53" });
        if (listen.Count == 0)
            return null;
        var log = _logs.CreateLogger("dokkaa.dns");
        var options = new DnsServerOptions
        {
            Listen = listen.Select(DnsServerOptions.ParseEndpoint).ToList(),
            Upstreams = _options.DnsUpstreams.Select(DnsServerOptions.ParseEndpoint).ToList(),
            Ttl = _options.DnsTtl,
            RateLimit = ExemptContainers(_options.DnsRateLimit, gateway, log),
        };
        var server = new DnsServer(options, () => View.Current, m => log.LogWarning("{Message}", m));
        try
        {
            server.Start();
            log.LogInformation("DNS for .container on {Endpoints}", string.Join(", ", server.LocalEndpoints));
            return server;
        }
        catch (SocketException e)
        {
            log.LogError("DNS for .container is off on this host: cannot listen on {Endpoints}: {Error}", string.Join(", ", listen), e.Message);
            return null;
        }
    }

    /// <summary>
    /// Containers are never rate limited: answers to the bridge's subnet stay on this host, so a forged
    /// address there reflects nothing off the machine, while one /24 bucket for every container would.
    /// </summary>
    private static Dns.Limits.DnsRateLimitOptions ExemptContainers(Dns.Limits.DnsRateLimitOptions rateLimit, IPAddress? gateway, ILogger log)
    {
        if (!rateLimit.Enabled || gateway is null)
            return rateLimit;
        if (LocalSubnet.Of(gateway) is { } bridge)
            return rateLimit with { Exempt = [.. rateLimit.Exempt, bridge] };
        log.LogWarning("DNS: no interface holds the Docker bridge gateway {Gateway}, so containers' queries are rate limited like any client's (--dns-rate-limit-exempt adds their subnet)", gateway);
        return rateLimit;
    }

    /// <summary>Containers resolve .container names through this host's DNS when it listens on the gateway's port 53.</summary>
    private static IReadOnlyList<string> ContainerDns(DnsServer? dns, IPAddress? gateway) =>
        dns is not null && gateway is not null && dns.LocalEndpoints.Any(e => e.Port == 53 && e.Address.Equals(gateway))
            ? new[] { gateway.ToString() }
            : Array.Empty<string>();

    /// <summary>Docker events make the reconciler react at once to a container that exits; the stream is re-opened whenever it drops (Docker restarts).</summary>
    private async Task FollowDockerEventsAsync(Reconciler reconciler, CancellationToken cancellationToken)
    {
        var filter = new Dictionary<string, string?> { [ContainerNames.HostLabel] = _options.HostId };
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await foreach (var _ in _docker.EventsAsync(filter, cancellationToken).ConfigureAwait(false))
                    reconciler.Wake();
            }
            catch (DockerException e) when (!cancellationToken.IsCancellationRequested)
            {
                _log.LogDebug("Docker event stream dropped: {Error}", e.Message);
            }
            catch (IOException) when (!cancellationToken.IsCancellationRequested)
            {
            }

            reconciler.Wake();
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task IgnoreCancellation(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception e)
        {
            _log.LogError(e, "Agent loop failed while stopping");
        }
    }
}
