using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using Dokkaa.Core.Etcd;
using Dokkaa.Core.Manifests;

namespace Dokkaa.Core.Cluster;

/// <summary>Identifies one manifest: app and name, as in <c>/apps/dummy/nginx/manifest</c>.</summary>
public readonly record struct ManifestId(string App, string Name)
{
    public override string ToString() => $"{App}/{Name}";
}

/// <summary>Identifies one instance of a manifest (1-based).</summary>
public readonly record struct InstanceId(string App, string Name, int Instance)
{
    public ManifestId Manifest => new(App, Name);

    public string Key => KeyLayout.Instance(App, Name, Instance);

    public string ContainerName => ContainerNames.For(App, Name, Instance);

    public override string ToString() => $"{App}/{Name}/{Instance}";
}

/// <summary>
/// A manifest as read from etcd. An invalid manifest (written by hand) is kept with its errors so that
/// agents can report them; <see cref="LastValid"/> is the last valid version this process saw under the
/// same key, so a broken edit never tears down what was running.
/// </summary>
public sealed record ManifestEntry(ManifestId Id, string Raw, Manifest? Manifest, IReadOnlyList<ManifestError> Errors, long ModRevision, Manifest? LastValid)
{
    public bool IsValid => Manifest is not null;

    /// <summary>
    /// The etcd revision that created the key: the order manifests arrived in. Agents plan placement in this order,
    /// so a manifest's plan does not depend on the claims of manifests that came after it.
    /// </summary>
    public long CreateRevision { get; init; }

    /// <summary>The manifest the cluster should converge to: the current one, or the last valid one while the current is broken.</summary>
    public Manifest? Effective => Manifest ?? LastValid;

    /// <summary>The container hash of the effective manifest (see <see cref="ManifestSerializer.ContainerHash"/>).</summary>
    public string? Hash => Effective is null ? null : ManifestSerializer.ContainerHash(Effective);
}

/// <summary>A claim as stored: the record plus the etcd revisions that make compare-and-swap possible.</summary>
public sealed record InstanceClaim(InstanceId Id, InstanceRecord Record, long CreateRevision, long ModRevision, long Lease);

/// <summary>A live host (its key exists, so its lease is alive).</summary>
public sealed record HostEntry(string HostId, HostRecord Record, long Lease);

/// <summary>An in-progress or failed rolling update of one manifest (at most one per manifest, cluster-wide).</summary>
public sealed record RolloutLock(ManifestId Id, RolloutRecord Record, long CreateRevision, long ModRevision);

/// <summary>The value of <c>/dokkaa/evict/&lt;app&gt;/&lt;name&gt;/&lt;i&gt;</c>: move this instance off <see cref="Host"/>.</summary>
public sealed record EvictRecord
{
    public required string Host { get; init; }
    public DateTimeOffset RequestedAt { get; init; }
}

/// <summary>The value of <c>/dokkaa/rollout/&lt;app&gt;/&lt;name&gt;</c>.</summary>
public sealed record RolloutRecord : IClusterRecord
{
    public required string Host { get; init; }
    public int Instance { get; init; }
    public required string ManifestHash { get; init; }
    public bool Failed { get; init; }
    public string? Error { get; init; }

    bool IClusterRecord.IsWellFormed => Host is not null && ManifestHash is not null;
}

/// <summary>
/// An immutable picture of the cluster at one etcd revision. Readers take a snapshot and work on it
/// without locks; the view swaps in a new one on every change.
/// </summary>
public sealed record ClusterState(
    long Revision,
    ImmutableSortedDictionary<ManifestId, ManifestEntry> Manifests,
    ImmutableSortedDictionary<InstanceId, InstanceClaim> Instances,
    ImmutableSortedDictionary<string, HostEntry> Hosts,
    ImmutableSortedDictionary<ManifestId, (StatusRecord Record, long ModRevision)> Statuses,
    ImmutableSortedDictionary<ManifestId, RolloutLock> Rollouts)
{
    /// <summary>Hosts an operator is draining (<c>/dokkaa/drain/&lt;host&gt;</c>): they take no new instances.</summary>
    public ImmutableSortedSet<string> Drains { get; init; } = ImmutableSortedSet.Create<string>(StringComparer.Ordinal);

    /// <summary>Instances an operator asked to move off a host (<c>/dokkaa/evict/...</c>), with that host.</summary>
    public ImmutableSortedDictionary<InstanceId, string> Evictions { get; init; } = ImmutableSortedDictionary.Create<InstanceId, string>(InstanceIdComparer.Instance);

    /// <summary>
    /// Keys Dokkaa reads but ignores, so the tools can list them instead of ignoring them silently: keys under
    /// <c>/apps/</c> that are not <c>/apps/&lt;app&gt;/&lt;name&gt;/manifest</c> (such as <c>/apps//x/manifest</c> or
    /// <c>/apps/a/b/c/manifest</c>), and host keys written without a lease.
    /// </summary>
    public ImmutableSortedSet<string> IgnoredKeys { get; init; } = ImmutableSortedSet.Create<string>(StringComparer.Ordinal);

    /// <summary>True when the host takes no new instances (drained by an operator, or draining by its own record).</summary>
    public bool IsDraining(HostEntry host) => host.Record.Draining || Drains.Contains(host.HostId);

    public static readonly ClusterState Empty = new(
        0,
        ImmutableSortedDictionary.Create<ManifestId, ManifestEntry>(ManifestIdComparer.Instance),
        ImmutableSortedDictionary.Create<InstanceId, InstanceClaim>(InstanceIdComparer.Instance),
        ImmutableSortedDictionary.Create<string, HostEntry>(StringComparer.Ordinal),
        ImmutableSortedDictionary.Create<ManifestId, (StatusRecord, long)>(ManifestIdComparer.Instance),
        ImmutableSortedDictionary.Create<ManifestId, RolloutLock>(ManifestIdComparer.Instance));

    /// <summary>The claims of one manifest, by instance number.</summary>
    /// <remarks>
    /// Served from an index built once per <see cref="Instances"/> dictionary (on first use, kept as long as
    /// that dictionary lives): a reconcile pass asks this for every manifest, and a scan of all instances per
    /// manifest made the pass O(manifests x instances).
    /// </remarks>
    public IEnumerable<InstanceClaim> ClaimsOf(ManifestId id) => ClaimIndex.For(Instances).Of(id);

    public InstanceClaim? Claim(InstanceId id) => Instances.TryGetValue(id, out var claim) ? claim : null;

    /// <summary>Applies one etcd event; keys Dokkaa does not own are ignored.</summary>
    public ClusterState Apply(WatchEvent change)
    {
        var kv = change.Kv;
        var deleted = change.Type == WatchEventType.Delete;
        var next = this with { Revision = Math.Max(Revision, kv.ModRevision) };

        if (KeyLayout.TryParseManifestKey(kv.Key, out var app, out var name))
        {
            var id = new ManifestId(app, name);
            if (deleted)
                return next with { Manifests = Manifests.Remove(id) };
            Manifests.TryGetValue(id, out var previous);
            return next with { Manifests = Manifests.SetItem(id, ReadManifest(id, kv, previous)) };
        }

        if (kv.Key.StartsWith(KeyLayout.AppsPrefix, StringComparison.Ordinal))
            return next with { IgnoredKeys = deleted ? IgnoredKeys.Remove(kv.Key) : IgnoredKeys.Add(kv.Key) };

        if (KeyLayout.TryParseInstanceKey(kv.Key, out app, out name, out var instance))
        {
            var id = new InstanceId(app, name, instance);
            if (deleted)
                return next with { Instances = Instances.Remove(id) };
            var record = ClusterJson.TryDeserialize<InstanceRecord>(kv.Value);
            return record is null
                ? next with { Instances = Instances.Remove(id) }
                : next with { Instances = Instances.SetItem(id, new InstanceClaim(id, record, kv.CreateRevision, kv.ModRevision, kv.Lease)) };
        }

        if (KeyLayout.TryParseHostKey(kv.Key, out var hostId))
        {
            if (deleted)
                return next with { Hosts = Hosts.Remove(hostId), IgnoredKeys = IgnoredKeys.Remove(kv.Key) };
            // A host is live while its agent's lease is; a key written without one would count as live forever.
            if (kv.Lease == 0)
                return next with { Hosts = Hosts.Remove(hostId), IgnoredKeys = IgnoredKeys.Add(kv.Key) };
            var record = ClusterJson.TryDeserialize<HostRecord>(kv.Value);
            return record is null
                ? next with { Hosts = Hosts.Remove(hostId) }
                : next with { Hosts = Hosts.SetItem(hostId, new HostEntry(hostId, record, kv.Lease)) };
        }

        if (KeyLayout.TryParseStatusKey(kv.Key, out app, out name))
        {
            var id = new ManifestId(app, name);
            var record = deleted ? null : ClusterJson.TryDeserialize<StatusRecord>(kv.Value);
            return record is null
                ? next with { Statuses = Statuses.Remove(id) }
                : next with { Statuses = Statuses.SetItem(id, (record, kv.ModRevision)) };
        }

        if (KeyLayout.TryParseDrainKey(kv.Key, out var drained))
            return next with { Drains = deleted ? Drains.Remove(drained) : Drains.Add(drained) };

        if (KeyLayout.TryParseEvictKey(kv.Key, out app, out name, out instance))
        {
            var id = new InstanceId(app, name, instance);
            var host = deleted ? null : ClusterJson.TryDeserialize<EvictRecord>(kv.Value)?.Host;
            return host is null ? next with { Evictions = Evictions.Remove(id) } : next with { Evictions = Evictions.SetItem(id, host) };
        }

        if (KeyLayout.TryParseRolloutKey(kv.Key, out app, out name))
        {
            var id = new ManifestId(app, name);
            var record = deleted ? null : ClusterJson.TryDeserialize<RolloutRecord>(kv.Value);
            return record is null
                ? next with { Rollouts = Rollouts.Remove(id) }
                : next with { Rollouts = Rollouts.SetItem(id, new RolloutLock(id, record, kv.CreateRevision, kv.ModRevision)) };
        }

        return next;
    }

    private static ManifestEntry ReadManifest(ManifestId id, KeyValue kv, ManifestEntry? previous)
    {
        var lastValid = previous?.Effective;
        if (StoredManifest.Read(id.App, id.Name, kv.Value, out var errors) is { } manifest)
            return new ManifestEntry(id, kv.Value, manifest, Array.Empty<ManifestError>(), kv.ModRevision, manifest) { CreateRevision = kv.CreateRevision };
        return new ManifestEntry(id, kv.Value, null, errors, kv.ModRevision, lastValid) { CreateRevision = kv.CreateRevision };
    }
}

/// <summary>The claims of a snapshot grouped by manifest, in instance order.</summary>
internal sealed class ClaimIndex
{
    private static readonly ConditionalWeakTable<ImmutableSortedDictionary<InstanceId, InstanceClaim>, ClaimIndex> Indexes = new();
    private readonly Dictionary<ManifestId, InstanceClaim[]> _byManifest = new();

    private ClaimIndex(ImmutableSortedDictionary<InstanceId, InstanceClaim> instances)
    {
        // The dictionary is sorted by manifest, then instance: each manifest's claims are one run.
        var run = new List<InstanceClaim>();
        ManifestId? current = null;
        foreach (var (id, claim) in instances)
        {
            var manifest = id.Manifest;
            if (current is { } c && c != manifest)
            {
                _byManifest[c] = run.ToArray();
                run.Clear();
            }

            current = manifest;
            run.Add(claim);
        }

        if (current is { } last)
            _byManifest[last] = run.ToArray();
    }

    public static ClaimIndex For(ImmutableSortedDictionary<InstanceId, InstanceClaim> instances) =>
        Indexes.GetValue(instances, static i => new ClaimIndex(i));

    public IReadOnlyList<InstanceClaim> Of(ManifestId id) => _byManifest.TryGetValue(id, out var claims) ? claims : Array.Empty<InstanceClaim>();
}

internal sealed class ManifestIdComparer : IComparer<ManifestId>
{
    public static readonly ManifestIdComparer Instance = new();

    public int Compare(ManifestId x, ManifestId y)
    {
        var byApp = string.CompareOrdinal(x.App, y.App);
        return byApp != 0 ? byApp : string.CompareOrdinal(x.Name, y.Name);
    }
}

internal sealed class InstanceIdComparer : IComparer<InstanceId>
{
    public static readonly InstanceIdComparer Instance = new();

    public int Compare(InstanceId x, InstanceId y)
    {
        var byManifest = ManifestIdComparer.Instance.Compare(x.Manifest, y.Manifest);
        return byManifest != 0 ? byManifest : x.Instance.CompareTo(y.Instance);
    }
}
