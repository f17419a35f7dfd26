using System.Globalization;
using System.Text.RegularExpressions;

namespace Dokkaa.Dev;

/// <summary>
/// The layout of a dev cluster, computed from its options before anything is created: names (all derived from
/// the cluster name, so that a cluster whose state file is lost can still be found and removed), addresses
/// and paths. Pure; unit tested.
/// </summary>
public sealed partial class DevPlan
{
    public const string DefaultName = "dev";
    public const string DefaultSubnet = "10.213.0.0/24";
    public const string DefaultContainerSubnet = "10.214.0.0/16";
    public const int DefaultEtcdPort = 2379;
    public const string WorkRoot = "/var/lib/dokkaa-dev";
    public const string RunRoot = "/run/dokkaa-dev";
    public const int MaxHosts = 50;

    /// <summary>Host N gets address N + this in the subnet; .1 is the bridge.</summary>
    public const int HostAddressOffset = 10;

    private DevPlan(string name, int hosts, Ipv4Network subnet, Ipv4Network containerSubnet, int etcdMembers, int etcdPort, string leaseTtl, bool secure)
    {
        Secure = secure;
        Name = name;
        Hosts = hosts;
        Subnet = subnet;
        ContainerSubnet = containerSubnet;
        EtcdMembers = etcdMembers;
        EtcdPort = etcdPort;
        LeaseTtl = leaseTtl;
    }

    public string Name { get; }

    public int Hosts { get; }

    public Ipv4Network Subnet { get; }

    public Ipv4Network ContainerSubnet { get; }

    public int EtcdMembers { get; }

    public int EtcdPort { get; }

    public string LeaseTtl { get; }

    /// <summary>etcd with TLS (clients and peers), client certificates and auth: see <see cref="DevSecurity"/>.</summary>
    public bool Secure { get; }

    private string Scheme => Secure ? "https" : "http";

    public static string DefaultStatePath => Environment.GetEnvironmentVariable("DOKKAA_DEV_STATE") is { Length: > 0 } path ? path : Path.Combine(WorkRoot, "dev.json");

    public static string BridgeName(string name) => $"dk-{name}-br";

    /// <summary>Namespaces and host-side veths are this plus the host number (dk-dev-h1).</summary>
    public static string HostPrefix(string name) => $"dk-{name}-h";

    public static string WorkDir(string name) => Path.Combine(WorkRoot, name);

    public static string RunDir(string name) => Path.Combine(RunRoot, name);

    /// <summary>Containers of host N go into this cgroup plus N (one per host, so that leftovers are easy to find).</summary>
    public static string CgroupPrefix(string name) => $"dokkaa-{name}-h";

    /// <summary>Every iptables rule the cluster adds carries this comment.</summary>
    public static string IptablesComment(string name) => $"dokkaa-dev:{name}";

    public static void ValidateName(string name)
    {
        // Interface names are at most 15 characters: dk-NAME-h50 must fit.
        if (!NamePattern().IsMatch(name))
            throw new DevException($"--name: \"{name}\" must be 1-6 lowercase letters or digits, starting with a letter (it becomes part of interface names)");
    }

    public static DevPlan Create(string name, int hosts, string subnet, string containerSubnet, int etcdMembers, int etcdPort, string leaseTtl, bool secure = false)
    {
        ValidateName(name);
        if (hosts < 1 || hosts > MaxHosts)
            throw new DevException($"--hosts: {hosts} is out of range 1-{MaxHosts}");
        if (etcdMembers is not (1 or 3 or 5))
            throw new DevException($"--etcd-members: {etcdMembers} must be 1, 3 or 5");
        if (etcdPort < 1024 || etcdPort + 2 * etcdMembers > 65535)
            throw new DevException($"--etcd-port: {etcdPort} is out of range 1024-{65535 - 2 * etcdMembers}");
        if (!Dokkaa.Core.Units.Durations.TryParse(leaseTtl, out var ttl) || ttl < TimeSpan.FromSeconds(1))
            throw new DevException($"--lease-ttl: \"{leaseTtl}\" is not a duration of at least 1s (e.g. 2s, 10s)");

        var net = Ipv4Network.Parse(subnet, "--subnet");
        if (net.Size < (ulong)(HostAddressOffset + hosts + 2))
            throw new DevException($"--subnet: {net} is too small for {hosts} hosts (the bridge is .1, hosts start at .{HostAddressOffset + 1})");
        var containers = Ipv4Network.Parse(containerSubnet, "--container-subnet");
        if (containers.PrefixLength > 24 || (1UL << (24 - containers.PrefixLength)) < (ulong)(hosts + 1))
            throw new DevException($"--container-subnet: {containers} is too small: host N takes its N-th /24 for its container bridge");
        if (net.Overlaps(containers))
            throw new DevException($"--subnet {net} and --container-subnet {containers} overlap");
        return new DevPlan(name, hosts, net, containers, etcdMembers, etcdPort, leaseTtl, secure);
    }

    public string HostName(int n) => $"h{n}";

    public string HostAddress(int n) => Subnet.Address((ulong)(HostAddressOffset + n));

    public string BridgeAddress => Subnet.Address(1);

    public const string ContainerBridgeName = "dk0";

    /// <summary>Host N's container bridge address: .1 of the N-th /24 of the container subnet.</summary>
    public string ContainerBridgeAddress(int n) => $"{ContainerSubnet.Subnet(24, (ulong)n).Address(1)}/24";

    public string EtcdClientUrl(int member) => string.Create(CultureInfo.InvariantCulture, $"{Scheme}://{BridgeAddress}:{EtcdPort + 2 * (member - 1)}");

    public string EtcdPeerUrl(int member) => string.Create(CultureInfo.InvariantCulture, $"{Scheme}://{BridgeAddress}:{EtcdPort + 2 * (member - 1) + 1}");

    /// <summary>The state of the cluster as it will be once up (pids still 0).</summary>
    public DevClusterState ToState(string agentPath)
    {
        var work = WorkDir(Name);
        var run = RunDir(Name);
        var logs = Path.Combine(work, "logs");
        var members = Enumerable.Range(1, EtcdMembers).Select(m => new DevEtcdMember
        {
            Name = $"etcd{m}",
            ClientUrl = EtcdClientUrl(m),
            PeerUrl = EtcdPeerUrl(m),
            DataDir = Path.Combine(work, "etcd", $"etcd{m}"),
            Log = Path.Combine(logs, $"etcd{m}.log"),
        }).ToList();
        return new DevClusterState
        {
            Name = Name,
            CreatedAt = DateTimeOffset.UtcNow,
            WorkDir = work,
            RunDir = run,
            LogDir = logs,
            Subnet = Subnet.ToString(),
            ContainerSubnet = ContainerSubnet.ToString(),
            Bridge = BridgeName(Name),
            BridgeAddress = BridgeAddress,
            LeaseTtl = LeaseTtl,
            Agent = agentPath,
            Etcd = new DevEtcd
            {
                Endpoints = members.Select(m => m.ClientUrl).ToList(),
                InitialCluster = string.Join(',', members.Select(m => $"{m.Name}={m.PeerUrl}")),
                Token = $"dokkaa-dev-{Name}",
                Members = members,
                Security = Secure ? DevSecurity.In(Path.Combine(work, "tls")) : null,
            },
            Hosts = Enumerable.Range(1, Hosts).Select(n =>
            {
                var host = HostName(n);
                var hostWork = Path.Combine(work, "hosts", host);
                var hostRun = Path.Combine(run, host);
                return new DevHost
                {
                    Name = host,
                    Address = HostAddress(n),
                    Namespace = HostPrefix(Name) + n.ToString(CultureInfo.InvariantCulture),
                    Veth = HostPrefix(Name) + n.ToString(CultureInfo.InvariantCulture),
                    DockerSocket = "unix://" + Path.Combine(hostRun, "docker.sock"),
                    DataRoot = Path.Combine(hostWork, "docker"),
                    ExecRoot = Path.Combine(hostRun, "exec"),
                    DockerPidFile = Path.Combine(hostRun, "docker.pid"),
                    DockerConfig = Path.Combine(hostWork, "daemon.json"),
                    DockerLog = Path.Combine(logs, $"{host}-dockerd.log"),
                    ContainerBridge = ContainerBridgeName,
                    ContainerBridgeAddress = ContainerBridgeAddress(n),
                    CgroupParent = "/" + CgroupPrefix(Name) + n.ToString(CultureInfo.InvariantCulture),
                    AgentDataDir = Path.Combine(hostWork, "agent"),
                    AgentLog = Path.Combine(logs, $"{host}-agent.log"),
                };
            }).ToList(),
        };
    }

    [GeneratedRegex("^[a-z][a-z0-9]{0,5}$")]
    private static partial Regex NamePattern();
}
