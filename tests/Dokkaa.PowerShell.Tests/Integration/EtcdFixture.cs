using Dokkaa.Core.Cluster;
using Dokkaa.Core.Manifests;
using Dokkaa.Core.Operations;
using Dokkaa.Etcd;
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

    public GrpcEtcdClient Etcd { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _server = await EtcdServer.StartAsync();
        Cluster = DokkaaCluster.Parse(Endpoint);
        Etcd = EtcdClients.Create(Endpoint);
    }

    public async Task DisposeAsync()
    {
        Etcd.Dispose();
        if (_server is not null)
            await _server.DisposeAsync();
    }

    /// <summary>Writes raw text where the manifest of app/name lives, as <c>etcdctl put</c> would.</summary>
    public Task<long> PutRawManifestAsync(string app, string name, string json) => Etcd.PutAsync(KeyLayout.Manifest(app, name), json);

    /// <summary>Writes a live host's key, under a lease as its agent would (a host key without one is not a host).</summary>
    public async Task PutHostAsync(string host, string address, int capacity = 0, bool draining = false, IReadOnlyDictionary<string, string>? labels = null) =>
        await Etcd.PutAsync(KeyLayout.Host(host), ClusterJson.Serialize(new HostRecord
        {
            Address = address,
            AgentVersion = "0.1.0",
            StartedAt = DateTimeOffset.UtcNow,
            Capacity = capacity,
            Labels = labels ?? new Dictionary<string, string>(),
            Draining = draining,
            HeartbeatAt = DateTimeOffset.UtcNow,
        }), (await Etcd.LeaseGrantAsync(3600)).Id);

    /// <summary>The keys under <paramref name="prefix"/> (drain marks, evict requests).</summary>
    public async Task<IReadOnlyList<string>> KeysAsync(string prefix) =>
        (await Etcd.RangeAsync(prefix, prefix: true)).Kvs.Select(kv => kv.Key).ToList();

    /// <summary>The host that claims an instance now.</summary>
    public async Task<string> ClaimedByAsync(string app, string name, int instance) =>
        ClusterJson.TryDeserialize<InstanceRecord>((await Etcd.RangeAsync(KeyLayout.Instance(app, name, instance))).Kvs.Single().Value)!.Host;

    /// <summary>
    /// The agents' side of a move, until cancelled: for every evict request, the claim is rewritten as
    /// running on the host <paramref name="destination"/> picks, as the agent that took it over would.
    /// </summary>
    public async Task RunStandInAgentAsync(Func<string, string> destination, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                foreach (var evict in (await Etcd.RangeAsync(KeyLayout.EvictPrefix, prefix: true, cancellationToken: cancellationToken)).Kvs)
                {
                    if (!KeyLayout.TryParseEvictKey(evict.Key, out var app, out var name, out var instance) || ClusterJson.TryDeserialize<EvictRecord>(evict.Value) is not { } request)
                        continue;
                    var key = KeyLayout.Instance(app, name, instance);
                    var claim = (await Etcd.RangeAsync(key, cancellationToken: cancellationToken)).Kvs.SingleOrDefault();
                    if (claim is null || ClusterJson.TryDeserialize<InstanceRecord>(claim.Value) is not { } record || record.Host != request.Host)
                        continue;
                    await Etcd.PutAsync(key, ClusterJson.Serialize(record with { Host = destination(request.Host), State = InstanceState.Running, UpdatedAt = DateTimeOffset.UtcNow }), cancellationToken: cancellationToken);
                }

                await Task.Delay(50, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

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
