using Dokkaa.Core.Cluster;
using Dokkaa.Core.Etcd;
using Dokkaa.Core.Manifests;

namespace Dokkaa.Testing;

/// <summary>
/// The one way tests build a <see cref="ClusterState"/>. <see cref="Put"/> and the record methods built on it
/// (<see cref="Manifest"/>, <see cref="Host"/>, <see cref="Claim"/>...) go the way the cluster view goes: by
/// applying etcd events, with revisions, create revisions and versions kept like etcd keeps them.
/// <see cref="PlaceManifest"/> and <see cref="PlaceClaim"/> put values into the state directly, bypassing the
/// manifest parser and the key layout, so that values they would refuse (a hostile HTTP host, a name that cannot
/// be a DNS label) can reach the code under test.
/// </summary>
public sealed class ClusterStateBuilder
{
    private readonly Dictionary<string, (long Create, long Version)> _keys = new(StringComparer.Ordinal);

    public ClusterState State { get; private set; } = ClusterState.Empty;

    public long Revision { get; private set; }

    public ClusterStateBuilder Put(string key, string value, long lease = 0)
    {
        Revision++;
        var (create, version) = _keys.TryGetValue(key, out var known) ? (known.Create, known.Version + 1) : (Revision, 1L);
        _keys[key] = (create, version);
        State = State.Apply(new WatchEvent(WatchEventType.Put, new KeyValue(key, value, create, Revision, version, lease)));
        return this;
    }

    public ClusterStateBuilder Delete(string key)
    {
        Revision++;
        _keys.Remove(key);
        State = State.Apply(new WatchEvent(WatchEventType.Delete, new KeyValue(key, "", 0, Revision, 0, 0)));
        return this;
    }

    public ClusterStateBuilder Manifest(string app, string name, Manifest manifest) =>
        Put(KeyLayout.Manifest(app, name), ManifestSerializer.ToCanonicalJson(manifest));

    public ClusterStateBuilder Host(string hostId, int capacity = 0, bool draining = false, IReadOnlyDictionary<string, string>? labels = null, int milliCpus = 0, long memoryBytes = 0) =>
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
    public ClusterStateBuilder HostWithHttp(string hostId, string? httpError = null, IReadOnlyDictionary<string, string>? routeErrors = null) =>
        Put(KeyLayout.Host(hostId), ClusterJson.Serialize(new HostRecord
        {
            Address = AddressOf(hostId),
            AgentVersion = "0.1.0",
            HttpError = httpError,
            HttpRouteErrors = routeErrors,
        }), lease: 100);

    /// <summary>A claim; the manifest hash defaults to the current manifest's, the ports to none.</summary>
    public ClusterStateBuilder Claim(
        string app,
        string name,
        int instance,
        string host,
        InstanceState state = InstanceState.Running,
        string? hash = null,
        IReadOnlyDictionary<string, int>? ports = null,
        string? error = null,
        string? address = null) =>
        Put(KeyLayout.Instance(app, name, instance), ClusterJson.Serialize(new InstanceRecord
        {
            Host = host,
            Address = address ?? AddressOf(host),
            ManifestHash = hash ?? HashOf(app, name),
            State = state,
            Ports = ports ?? new Dictionary<string, int>(),
            Error = error,
        }), lease: 100);

    public ClusterStateBuilder Rollout(string app, string name, RolloutRecord record) =>
        Put(KeyLayout.Rollout(app, name), ClusterJson.Serialize(record));

    /// <summary>A manifest as the view holds a parsed one, without parsing; created now unless <paramref name="createRevision"/> says when.</summary>
    public ClusterStateBuilder PlaceManifest(string app, string name, Manifest manifest, long? createRevision = null)
    {
        Revision++;
        var id = new ManifestId(app, name);
        var entry = new ManifestEntry(id, ManifestSerializer.ToCanonicalJson(manifest), manifest, Array.Empty<ManifestError>(), Revision, manifest)
        {
            CreateRevision = createRevision ?? Revision,
        };
        State = State with { Revision = Revision, Manifests = State.Manifests.SetItem(id, entry) };
        return this;
    }

    /// <summary>A claim as the view holds one, without the key layout's checks; held under lease <paramref name="lease"/>.</summary>
    public ClusterStateBuilder PlaceClaim(string app, string name, int instance, InstanceRecord record, long lease = 100)
    {
        Revision++;
        var id = new InstanceId(app, name, instance);
        State = State with { Revision = Revision, Instances = State.Instances.SetItem(id, new InstanceClaim(id, record, Revision, Revision, lease)) };
        return this;
    }

    /// <summary>Moves the store revision to <paramref name="revision"/> (the DNS serial follows it); later writes count on from there.</summary>
    public ClusterStateBuilder AtRevision(long revision)
    {
        Revision = revision;
        State = State with { Revision = revision };
        return this;
    }

    public ManifestEntry Entry(string app, string name) => State.Manifests[new ManifestId(app, name)];

    public string HashOf(string app, string name) =>
        State.Manifests.TryGetValue(new ManifestId(app, name), out var entry) && entry.Hash is { } hash ? hash : "no-manifest";

    public static string AddressOf(string hostId) => $"{hostId}.hosts.test";
}
