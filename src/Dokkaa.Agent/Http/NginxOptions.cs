using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Dokkaa.Agent.Http;

/// <summary>
/// How the agent runs nginx for HTTP routing by Host header (DaprDockr's http-host/http-port). Everything
/// nginx writes (config, pid file, error log, temp files, the control socket) lives under
/// <see cref="StateDir"/>, so the agent's nginx never touches the system nginx's files.
/// </summary>
public sealed record NginxOptions
{
    /// <summary>Directory for nginx.conf, nginx.pid, error.log, temp directories and control.sock (e.g. <c>/var/lib/dokkaa/nginx</c>).
    /// Absolute, made of <c>[A-Za-z0-9._/+@-]</c> only, so it can be written into nginx.conf as is.</summary>
    public required string StateDir { get; init; }

    /// <summary>
    /// Directory for the files nginx's workers open themselves: the router's socket (the front's workers connect
    /// to it) and the temp directories (request bodies, buffered responses). When the agent is root the workers
    /// run as <c>nobody</c>, and a state directory under the data directory may not be reachable for them (a
    /// data directory that is 0700, or under a 0700 parent): every request would then fail with 502 or 500. So
    /// by default, for root, this is a directory of its own under <c>/run/dokkaa-nginx</c> (named after a hash of
    /// <see cref="StateDir"/>, so agents with different data directories do not meet), made 0755 by the
    /// supervisor whatever the data directory's permissions; for any other user (the workers run as that user)
    /// it is <see cref="StateDir"/>. Same character rule as <see cref="StateDir"/>.
    /// </summary>
    public string RuntimeDir
    {
        get => _runtimeDir ?? DefaultRuntimeDir(StateDir);
        init => _runtimeDir = value;
    }

    private readonly string? _runtimeDir;

    /// <summary>How long the route check after a reload waits for an answer through nginx.</summary>
    public TimeSpan RouteCheckTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>First wait before a refused configuration or a failed route check is tried again; doubles up to <see cref="RetryDelayMax"/>.</summary>
    public TimeSpan RetryDelayFirst { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan RetryDelayMax { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Addresses nginx listens on, each <c>address:port</c> (<c>0.0.0.0:80</c>, <c>[::]:80</c>, <c>127.0.0.1:8080</c>).</summary>
    public IReadOnlyList<string> Listen { get; init; } = new[] { "0.0.0.0:80" };

    /// <summary>
    /// Run a second nginx, whose configuration never changes, on the listen addresses in front of the routing
    /// nginx (the one that is reloaded on cluster changes); it hands each request to the router over a unix
    /// socket, one connection per request. On a reload nginx closes the idle keep-alive connections of its
    /// old workers, and a request a client wrote into one at that instant is reset unanswered; with the front,
    /// clients never hold a connection to a reloading nginx, so reloads lose nothing. The price is a local
    /// hop (on a 2-core machine about 40% fewer requests per second through nginx at full load).
    /// False: the router listens on the addresses itself.
    /// </summary>
    public bool Front { get; init; } = true;

    /// <summary>The nginx executable.</summary>
    public string NginxPath { get; init; } = "/usr/sbin/nginx";

    /// <summary>Changes arriving within this window after the first one are applied together, with one reload.</summary>
    public TimeSpan Debounce { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>First wait before nginx is started again after it died; doubles up to <see cref="RestartDelayMax"/>.</summary>
    public TimeSpan RestartDelayFirst { get; init; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan RestartDelayMax { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>An nginx that ran this long before dying is restarted after <see cref="RestartDelayFirst"/> again.</summary>
    public TimeSpan StableAfter { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long nginx may take to start, or to serve a new configuration after a reload.</summary>
    public TimeSpan ReadyTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Graceful stop (SIGQUIT: finish requests in flight) before nginx is killed.</summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>nginx <c>proxy_connect_timeout</c>: an instance on a dead host is given up (and the next one tried) after this.</summary>
    public TimeSpan ProxyConnectTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>nginx <c>proxy_read_timeout</c>/<c>proxy_send_timeout</c>; also the idle limit of a WebSocket.</summary>
    public TimeSpan ProxyReadTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>nginx <c>worker_shutdown_timeout</c>: after a reload, old workers still carrying long requests or
    /// WebSockets are closed after this, so reloads cannot pile up old workers forever.</summary>
    public TimeSpan WorkerShutdownTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>nginx <c>worker_processes</c>; 0 is <c>auto</c> (one per CPU).</summary>
    public int WorkerProcesses { get; init; }

    public int WorkerConnections { get; init; } = 4096;

    /// <summary>Idle connections to instances each worker keeps per host name (upstream <c>keepalive</c>); 0 disables.</summary>
    public int UpstreamKeepalive { get; init; } = 32;

    public string ConfigPath => Path.Combine(StateDir, "nginx.conf");

    public string PidPath => Path.Combine(StateDir, "nginx.pid");

    public string ErrorLogPath => Path.Combine(StateDir, "error.log");

    /// <summary>The routing nginx answers <c>GET /dokkaa/config</c> here with the hash of the configuration it serves.</summary>
    public string ControlSocketPath => Path.Combine(StateDir, "control.sock");

    /// <summary>Where the routing nginx listens when <see cref="Front"/> is on (the front's workers connect to it).</summary>
    public string RouterSocketPath => Path.Combine(RuntimeDir, "router.sock");

    public string FrontConfigPath => Path.Combine(StateDir, "front.conf");

    public string FrontPidPath => Path.Combine(StateDir, "front.pid");

    public string FrontControlSocketPath => Path.Combine(StateDir, "front-control.sock");

    /// <summary>The listen addresses, parsed; throws <see cref="ArgumentException"/> naming the bad one.</summary>
    public IReadOnlyList<IPEndPoint> ListenEndpoints() => Listen.Select(ParseListen).ToArray();

    /// <summary>Throws <see cref="ArgumentException"/> with a clear message if an option cannot work.</summary>
    public void Validate()
    {
        if (Listen.Count == 0)
            throw new ArgumentException("at least one HTTP listen address is required", nameof(Listen));
        var endpoints = ListenEndpoints();
        if (endpoints.Distinct().Count() != endpoints.Count)
            throw new ArgumentException("HTTP listen addresses must not repeat", nameof(Listen));
        if (!Path.IsPathFullyQualified(StateDir) || StateDir.Any(c => !IsSafePathChar(c)))
            throw new ArgumentException($"nginx state directory '{StateDir}' must be an absolute path of letters, digits and . _ / + @ -", nameof(StateDir));
        if (!Path.IsPathFullyQualified(RuntimeDir) || RuntimeDir.Any(c => !IsSafePathChar(c)))
            throw new ArgumentException($"nginx runtime directory '{RuntimeDir}' must be an absolute path of letters, digits and . _ / + @ -", nameof(RuntimeDir));
        if (RouterSocketPath.Length > 107)
            throw new ArgumentException($"nginx runtime directory '{RuntimeDir}' is too long for a unix socket path", nameof(RuntimeDir));
        // sun_path is 108 bytes including the terminating zero.
        if (FrontControlSocketPath.Length > 107)
            throw new ArgumentException($"nginx state directory '{StateDir}' is too long for a unix socket path", nameof(StateDir));
        if (WorkerProcesses < 0 || WorkerConnections < 16 || UpstreamKeepalive < 0)
            throw new ArgumentException("nginx worker_processes, worker_connections or keepalive out of range");
        foreach (var (name, value) in new[] { (nameof(ProxyConnectTimeout), ProxyConnectTimeout), (nameof(ProxyReadTimeout), ProxyReadTimeout), (nameof(WorkerShutdownTimeout), WorkerShutdownTimeout), (nameof(RouteCheckTimeout), RouteCheckTimeout), (nameof(RetryDelayFirst), RetryDelayFirst) })
        {
            if (value < TimeSpan.FromMilliseconds(1))
                throw new ArgumentException($"{name} must be positive", name);
        }
    }

    /// <summary>Parses one <c>--http-listen</c> value: <c>address:port</c>, IPv6 in brackets.</summary>
    public static IPEndPoint ParseListen(string value)
    {
        var colon = value.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(value.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            throw new ArgumentException($"HTTP listen address '{value}' must be address:port with a port 1-65535 (e.g. 0.0.0.0:80 or [::]:80)");
        var host = value[..colon];
        var bracketed = host.StartsWith('[') && host.EndsWith(']');
        if (bracketed)
            host = host[1..^1];
        if (!IPAddress.TryParse(host, out var address) || (address.AddressFamily == AddressFamily.InterNetworkV6) != bracketed || (bracketed && address.ScopeId != 0)
            || (!bracketed && host.Count(c => c == '.') != 3))
            throw new ArgumentException($"HTTP listen address '{value}' must be an IPv4 address or an IPv6 address in brackets, then :port");
        return new IPEndPoint(address, port);
    }

    private static string DefaultRuntimeDir(string stateDir) =>
        !OperatingSystem.IsWindows() && Environment.IsPrivilegedProcess
            ? "/run/dokkaa-nginx/" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(stateDir)))[..16]
            : stateDir;

    private static bool IsSafePathChar(char c) => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '.' or '_' or '/' or '+' or '@' or '-';
}
