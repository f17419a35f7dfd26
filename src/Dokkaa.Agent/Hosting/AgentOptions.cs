using Dokkaa.Agent.Containers;
using Dokkaa.Core.Etcd;
namespace Dokkaa.Agent.Hosting;

/// <summary>Everything an agent needs to know about its host, from flags (see Program).</summary>
public sealed record AgentOptions
{
    /// <summary>Where etcd is and how to prove who this agent is (TLS, user).</summary>
    public EtcdClientOptions Etcd { get; init; } = EtcdClientOptions.Parse(Core.EtcdAccess.EtcdEnvironment.DefaultEndpoint);

    /// <summary>Docker Engine endpoint: unix:///path or tcp://host:port.</summary>
    public string Docker { get; init; } = "unix:///var/run/docker.sock";

    /// <summary>This host's name in the cluster; unique.</summary>
    public string HostId { get; init; } = Environment.MachineName.ToLowerInvariant();

    /// <summary>The address other hosts use to reach containers published on this host.</summary>
    public required string HostIp { get; init; }

    /// <summary>
    /// Lifetime of this host's lease. Failover takes about this long after a host dies, and an etcd or
    /// network hiccup shorter than this is harmless. 10 s is the default trade-off; 2 s for fast failover.
    /// </summary>
    public TimeSpan LeaseTtl { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Where the agent keeps what must survive its restarts (ambassador ports).</summary>
    public string DataDir { get; init; } = "/var/lib/dokkaa";

    /// <summary>Address the ambassador listens on; null: the Docker bridge gateway.</summary>
    public string? AmbassadorAddress { get; init; }

    /// <summary>First and last port the ambassador hands out to linked services.</summary>
    public int AmbassadorPortFirst { get; init; } = 42000;

    public int AmbassadorPortLast { get; init; } = 42999;

    /// <summary>
    /// How long a host ranked r waits (r x this) before it tries to claim an instance. Only matters when the best
    /// host is alive but slow; 1 s covers a fresh agent on a loaded machine (see docs/architecture.md).
    /// </summary>
    public TimeSpan ClaimStagger { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Full reconcile at least this often, whatever the watches said.</summary>
    public TimeSpan ResyncInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Grace period between SIGTERM and SIGKILL when a container is stopped.</summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A replacement container must stay up this long before the old one is stopped.</summary>
    public TimeSpan UpdateStability { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Most instances this host runs (0: no limit).</summary>
    public int Capacity { get; init; }

    /// <summary>Labels manifests can require with <c>constraints</c>, e.g. zone=eu-1.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>CPU this host offers to instances that reserve some, in thousandths of a core (0: no limit).</summary>
    public int MilliCpus { get; init; }

    /// <summary>Memory this host offers to instances that reserve some, in bytes (0: no limit).</summary>
    public long MemoryBytes { get; init; }

    /// <summary>Limits for containers whose manifest asks for none.</summary>
    public ContainerLimits ContainerDefaults { get; init; } = ContainerLimits.Default;

    /// <summary>Where nginx serves the manifests' http hosts (<c>address:port</c>); empty: no HTTP routing on this host.</summary>
    public IReadOnlyList<string> HttpListen { get; init; } = new[] { "0.0.0.0:80" };

    /// <summary>Where the .container DNS server listens (<c>address:port</c>); null: the Docker bridge gateway:53 and 127.0.0.1:53; empty: off.</summary>
    public IReadOnlyList<string>? DnsListen { get; init; }

    /// <summary>Resolvers for names outside .container; none: such names are refused (never an open resolver by accident).</summary>
    public IReadOnlyList<string> DnsUpstreams { get; init; } = Array.Empty<string>();

    /// <summary>TTL of .container answers: short, so clients follow instances that move.</summary>
    public TimeSpan DnsTtl { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Response-rate limiting of the DNS server's UDP answers; the Docker bridge's subnet is exempted on top of these.</summary>
    public Dokkaa.Dns.Limits.DnsRateLimitOptions DnsRateLimit { get; init; } = new();

    /// <summary>Where this agent serves the web console and HTTP API (<c>--console</c>); null: not at all.</summary>
    public System.Net.IPEndPoint? ConsoleListen { get; init; }

    /// <summary><c>--console-allow-remote</c>: a non-loopback <see cref="ConsoleListen"/> on purpose.</summary>
    public bool ConsoleAllowRemote { get; init; }

    /// <summary>The console's write token ($DOKKAA_CONSOLE_TOKEN); null generates one and writes it to <see cref="ConsoleTokenFile"/> (never to the log).</summary>
    public string? ConsoleToken { get; init; }

    /// <summary>Containers may run at most this many create/start/stop operations at once.</summary>
    public int MaxParallelOperations { get; init; } = 32;
}
