using Dokkaa.Core.Cluster;
using Dokkaa.Core.Etcd;
using Dokkaa.Core.Manifests;

namespace Dokkaa.Core.Tests.Support;

/// <summary>
/// Builds a <see cref="ClusterState"/> the way the cluster view does: by applying etcd events, with
/// revisions, create revisions and versions kept like etcd keeps them.
/// </summary>
internal sealed class StateBuilder
{
    private readonly Dictionary<string, (long Create, long Version)> _keys = new(StringComparer.Ordinal);

    public ClusterState State { get; private set; } = ClusterState.Empty;

    public long Revision { get; private set; }

    public StateBuilder Put(string key, string value, long lease = 0)
    {
        Revision++;
        var (create, version) = _keys.TryGetValue(key, out var known) ? (known.Create, known.Version + 1) : (Revision, 1L);
        _keys[key] = (create, version);
        State = State.Apply(new WatchEvent(WatchEventType.Put, new KeyValue(key, value, create, Revision, version, lease)));
        return this;
    }

    public StateBuilder Delete(string key)
    {
        Revision++;
        _keys.Remove(key);
        State = State.Apply(new WatchEvent(WatchEventType.Delete, new KeyValue(key, "", 0, Revision, 0, 0)));
        return this;
    }

    public StateBuilder Manifest(string app, string name, Manifest manifest) =>
        Put(KeyLayout.Manifest(app, name), ManifestSerializer.ToCanonicalJson(manifest));

    public StateBuilder Host(string hostId, int capacity = 0, bool draining = false, IReadOnlyDictionary<string, string>? labels = null, int milliCpus = 0, long memoryBytes = 0) =>
        Put(KeyLayout.Host(hostId), ClusterJson.Serialize(new HostRecord
        {
            Address = AddressOf(hostId),
            AgentVersion = "0.1.0",
            Capacity = capacity,
            Draining = draining,
            Labels = labels ?? new Dictionary<string, string>(),
            MilliCpus = milliCpus,
            MemoryBytes = memoryBytes,
        }), lease: 100);

    /// <summary>A live host whose nginx reports <paramref name="httpError"/> (routes nothing) and <paramref name="routeErrors"/> (by <c>app/name</c>).</summary>
    public StateBuilder HostWithHttp(string hostId, string? httpError = null, IReadOnlyDictionary<string, string>? routeErrors = null) =>
        Put(KeyLayout.Host(hostId), ClusterJson.Serialize(new HostRecord
        {
            Address = AddressOf(hostId),
            AgentVersion = "0.1.0",
            HttpError = httpError,
            HttpRouteErrors = routeErrors,
        }), lease: 100);

    /// <summary>A claim; the manifest hash defaults to the current manifest's, the ports to none.</summary>
    public StateBuilder Claim(
        string app,
        string name,
        int instance,
        string host,
        InstanceState state = InstanceState.Running,
        string? hash = null,
        IReadOnlyDictionary<string, int>? ports = null,
        string? error = null) =>
        Put(KeyLayout.Instance(app, name, instance), ClusterJson.Serialize(new InstanceRecord
        {
            Host = host,
            Address = AddressOf(host),
            ManifestHash = hash ?? HashOf(app, name),
            State = state,
            Ports = ports ?? new Dictionary<string, int>(),
            Error = error,
        }), lease: 100);

    public StateBuilder Rollout(string app, string name, RolloutRecord record) =>
        Put(KeyLayout.Rollout(app, name), ClusterJson.Serialize(record));

    public ManifestEntry Entry(string app, string name) => State.Manifests[new ManifestId(app, name)];

    public string HashOf(string app, string name) =>
        State.Manifests.TryGetValue(new ManifestId(app, name), out var entry) && entry.Hash is { } hash ? hash : "no-manifest";

    public static string AddressOf(string hostId) => $"{hostId}.hosts.test";
}
