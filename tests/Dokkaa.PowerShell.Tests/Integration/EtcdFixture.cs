using Dokkaa.Core.Cluster;
using Dokkaa.Core.Etcd;
using Dokkaa.Core.Manifests;
using Dokkaa.Core.Operations;
using Dokkaa.Testing;
using Xunit;

namespace Dokkaa.PowerShell.Tests.Integration;

/// <summary>
/// A real etcd member for one test class, the cluster object the cmdlets would resolve for it, and a
/// stand-in for the agents: it writes host, instance and status records exactly as agents store them
/// (<see cref="ClusterJson"/>), so the reads the cmdlets make can be checked without Docker.
/// </summary>
public sealed class EtcdFixture : IAsyncLifetime
{
    private EtcdServer? _server;

    public string Endpoint => _server!.Endpoint;

    public DokkaaCluster Cluster { get; private set; } = null!;

    public ClusterOperations Operations => Cluster.Operations;

    public EtcdClient Etcd { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _server = await EtcdServer.StartAsync();
        Cluster = DokkaaCluster.Parse(Endpoint);
        Etcd = EtcdClient.Parse(Endpoint);
    }

    public async Task DisposeAsync()
    {
        Etcd.Dispose();
        if (_server is not null)
            await _server.DisposeAsync();
    }

    /// <summary>Writes raw text where the manifest of app/name lives, as <c>etcdctl put</c> would.</summary>
    public Task<long> PutRawManifestAsync(string app, string name, string json) => Etcd.PutAsync(KeyLayout.Manifest(app, name), json);

    public Task PutHostAsync(string host, string address, int capacity = 0, bool draining = false) =>
        Etcd.PutAsync(KeyLayout.Host(host), ClusterJson.Serialize(new HostRecord
        {
            Address = address,
            AgentVersion = "0.1.0",
            StartedAt = DateTimeOffset.UtcNow,
            Capacity = capacity,
            Draining = draining,
            HeartbeatAt = DateTimeOffset.UtcNow,
        }));

    /// <summary>An instance claimed by <paramref name="host"/>, running the current manifest, with its ports published.</summary>
    public async Task PutInstanceAsync(string app, string name, int instance, string host, string address, InstanceState state, IReadOnlyDictionary<string, int> ports, string? error = null)
    {
        var manifest = (await Operations.GetManifestAsync(app, name)).Manifest!;
        await Etcd.PutAsync(KeyLayout.Instance(app, name, instance), ClusterJson.Serialize(new InstanceRecord
        {
            Host = host,
            Address = address,
            ContainerId = $"c{instance:D3}{name}",
            ContainerName = ContainerNames.For(app, name, instance),
            ManifestHash = ManifestSerializer.Hash(manifest),
            State = state,
            Ports = ports,
            Error = error,
            UpdatedAt = DateTimeOffset.UtcNow,
        }));
    }

    /// <summary>The status an agent writes after looking at the manifest's current revision.</summary>
    public async Task PutStatusAsync(string app, string name, int running, int pending, int outdated = 0, params string[] errors)
    {
        var info = await Operations.GetManifestAsync(app, name);
        await Etcd.PutAsync(KeyLayout.Status(app, name), ClusterJson.Serialize(new StatusRecord
        {
            ObservedRevision = info.Revision,
            ManifestHash = info.Hash,
            Desired = info.Manifest!.Scale,
            Running = running,
            Pending = pending,
            Outdated = outdated,
            Errors = errors,
        }));
    }

    public static Manifest Nginx(int scale = 1) => ManifestParser.Parse($$"""{ "image": "dockerfile/nginx", "scale": {{scale}}, "services": { "nginx": 80 } }""");
}
