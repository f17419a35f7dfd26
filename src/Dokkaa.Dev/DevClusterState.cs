using System.Text.Json;
using System.Text.Json.Serialization;
using Dokkaa.Core.Json;

namespace Dokkaa.Dev;

/// <summary>
/// The state file of a dev cluster (<c>dokkaa dev up --state FILE</c>): everything the other dev commands and
/// the tests need to find its parts again. Pids are updated by kill, restart and etcd start.
/// </summary>
public sealed class DevClusterState
{
    // Indented: a person reads the state file when a dev cluster misbehaves.
    private static readonly JsonSerializerOptions Options = new(JsonStyles.Records) { WriteIndented = true };

    public int Version { get; set; } = 1;

    /// <summary>The cluster's name; every bridge, namespace, link, directory and iptables comment is derived from it.</summary>
    public required string Name { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Data and logs: Docker data roots, etcd data, agent data, <c>logs/</c>.</summary>
    public required string WorkDir { get; set; }

    /// <summary>Runtime files: Docker sockets, pid files, exec roots (short paths: unix socket names are limited).</summary>
    public required string RunDir { get; set; }

    public required string LogDir { get; set; }

    public required string Subnet { get; set; }

    public required string ContainerSubnet { get; set; }

    public required string Bridge { get; set; }

    public required string BridgeAddress { get; set; }

    public required string LeaseTtl { get; set; }

    public required string Agent { get; set; }

    public required DevEtcd Etcd { get; set; }

    public required List<DevHost> Hosts { get; set; }

    public DevHost Host(string name) =>
        Hosts.FirstOrDefault(h => string.Equals(h.Name, name, StringComparison.Ordinal))
        ?? throw new DevException($"no host \"{name}\" in cluster {Name} (hosts: {string.Join(", ", Hosts.Select(h => h.Name))})");

    public DevEtcdMember Member(string name) =>
        Etcd.Members.FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.Ordinal))
        ?? throw new DevException($"no etcd member \"{name}\" in cluster {Name} (members: {string.Join(", ", Etcd.Members.Select(m => m.Name))})");

    public static DevClusterState Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new DevException($"no dev cluster state at {path}: start one with `dokkaa dev up --state {path}`, or pass the --state of a running one " +
                "(a cluster whose state file is lost is removed with `dokkaa dev down --force --name NAME`)");
        }

        try
        {
            return JsonSerializer.Deserialize<DevClusterState>(File.ReadAllText(path), Options)
                ?? throw new DevException($"{path}: empty state file");
        }
        catch (JsonException e)
        {
            throw new DevException($"{path}: not a dev cluster state file ({e.Message}); `dokkaa dev down --force --name NAME` removes a cluster without it");
        }
    }

    /// <summary>Writes the file atomically (a reader never sees half of it).</summary>
    public void Save(string path)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temp = full + ".tmp";
        File.WriteAllText(temp, ToJson());
        File.Move(temp, full, overwrite: true);
    }

    public string ToJson() => JsonSerializer.Serialize(this, Options);

    public static DevClusterState FromJson(string json) =>
        JsonSerializer.Deserialize<DevClusterState>(json, Options) ?? throw new DevException("empty state");
}

public sealed class DevEtcd
{
    /// <summary>Client URLs of all members, in member order: what <c>--etcd</c> and <c>DOKKAA_ETCD</c> take.</summary>
    public required List<string> Endpoints { get; set; }

    public required string InitialCluster { get; set; }

    public required string Token { get; set; }

    public required List<DevEtcdMember> Members { get; set; }

    /// <summary>TLS and auth of a <c>dokkaa dev up --secure</c> cluster; null: plain http without auth.</summary>
    public DevSecurity? Security { get; set; }
}

public sealed class DevEtcdMember
{
    public required string Name { get; set; }

    public required string ClientUrl { get; set; }

    public required string PeerUrl { get; set; }

    public required string DataDir { get; set; }

    public required string Log { get; set; }

    public int Pid { get; set; }
}

public sealed class DevHost
{
    /// <summary>The agent's --host-id and the key under /dokkaa/hosts/.</summary>
    public required string Name { get; set; }

    public required string Address { get; set; }

    public required string Namespace { get; set; }

    /// <summary>The host side of the veth pair (a port of the bridge); partition takes it down.</summary>
    public required string Veth { get; set; }

    /// <summary>Docker endpoint, e.g. <c>unix:///run/dokkaa-dev/dev/h1/docker.sock</c> (for docker -H and --docker).</summary>
    public required string DockerSocket { get; set; }

    public required string DataRoot { get; set; }

    public required string ExecRoot { get; set; }

    public required string DockerPidFile { get; set; }

    public required string DockerConfig { get; set; }

    public required string DockerLog { get; set; }

    /// <summary>
    /// The bridge the host's containers attach to, made by <c>dokkaa dev up</c> inside the namespace and given to
    /// dockerd with <c>--bridge</c>: not called docker0, so that no dockerd of the cluster ever creates or deletes a
    /// docker0 (dockerd deletes "docker0" by name in some restart paths).
    /// </summary>
    public required string ContainerBridge { get; set; }

    /// <summary>Its address (the containers' gateway), e.g. 10.214.1.1/24: distinct per host.</summary>
    public required string ContainerBridgeAddress { get; set; }

    public required string CgroupParent { get; set; }

    public required string AgentDataDir { get; set; }

    public required string AgentLog { get; set; }

    public int DockerPid { get; set; }

    public int AgentPid { get; set; }

    /// <summary>The socket path of <see cref="DockerSocket"/>.</summary>
    [JsonIgnore]
    public string DockerSocketPath => DockerSocket.StartsWith("unix://", StringComparison.Ordinal) ? DockerSocket["unix://".Length..] : DockerSocket;
}
