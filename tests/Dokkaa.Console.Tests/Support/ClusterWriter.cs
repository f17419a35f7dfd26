using Dokkaa.Core.Cluster;
using Dokkaa.Core.Etcd;
using Dokkaa.Core.Manifests;
using Dokkaa.Etcd;

namespace Dokkaa.WebConsole.Tests.Support;

/// <summary>
/// Writes into etcd what agents and operators would, so the console can be tested without Docker: host keys
/// under a lease (as an agent registers), claims (as an agent reports what it runs), status records.
/// </summary>
public sealed class ClusterWriter(GrpcEtcdClient etcd)
{
    public GrpcEtcdClient Etcd { get; } = etcd;

    /// <summary>A fresh, valid app or manifest name: a letter and 8 hex digits.</summary>
    public static string NewName(char first = 't') => first + Guid.NewGuid().ToString("N")[..8];

    /// <summary>Writes a manifest as <c>etcdctl put</c> would (no validation).</summary>
    public Task<long> PutManifestAsync(string app, string name, string json) => Etcd.PutAsync(KeyLayout.Manifest(app, name), json);

    /// <summary>Registers a host as its agent does: the record under a lease of <paramref name="ttlSeconds"/>.</summary>
    public async Task<long> PutHostAsync(string host, string address, long ttlSeconds = 60)
    {
        var lease = await Etcd.LeaseGrantAsync(ttlSeconds);
        var now = DateTimeOffset.UtcNow;
        await Etcd.PutAsync(KeyLayout.Host(host), ClusterJson.Serialize(new HostRecord
        {
            Address = address,
            AgentVersion = "0.1.0",
            StartedAt = now,
            HeartbeatAt = now,
        }), lease.Id);
        return lease.Id;
    }

    /// <summary>Claims an instance as an agent does once its container runs the manifest (<paramref name="manifestJson"/>'s hash).</summary>
    public Task<long> PutClaimAsync(string app, string name, int instance, string host, string address, string manifestJson,
        InstanceState state = InstanceState.Running, IReadOnlyDictionary<string, int>? ports = null, long lease = 0) =>
        Etcd.PutAsync(KeyLayout.Instance(app, name, instance), ClusterJson.Serialize(new InstanceRecord
        {
            Host = host,
            Address = address,
            ContainerId = Guid.NewGuid().ToString("N"),
            ContainerName = ContainerNames.For(app, name, instance),
            ManifestHash = ManifestSerializer.ContainerHash(ManifestParser.Parse(manifestJson)),
            State = state,
            Ports = ports ?? new Dictionary<string, int>(),
            UpdatedAt = DateTimeOffset.UtcNow,
        }), lease);

    public Task<long> PutStatusAsync(string app, string name, StatusRecord status) =>
        Etcd.PutAsync(KeyLayout.Status(app, name), ClusterJson.Serialize(status));

    /// <summary>The stored value, or null.</summary>
    public async Task<KeyValue?> GetAsync(string key)
    {
        var range = await Etcd.RangeAsync(key);
        return range.Kvs.Count == 0 ? null : range.Kvs[0];
    }

    public Task<KeyValue?> GetManifestAsync(string app, string name) => GetAsync(KeyLayout.Manifest(app, name));

    /// <summary>The store revision: it moves on every write, so an unchanged revision means nothing was written.</summary>
    public Task<long> RevisionAsync() => Etcd.CurrentRevisionAsync();
}
