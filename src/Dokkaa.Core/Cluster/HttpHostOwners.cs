using System.Collections.Immutable;
using System.Runtime.CompilerServices;

namespace Dokkaa.Core.Cluster;

/// <summary>
/// Who serves each <c>http.host</c>: the manifest whose key was created first (lowest create revision; equal
/// revisions, which only hand-built snapshots have, by app and name). A later manifest declaring the same host
/// is not routed and its status says which manifest serves the host, so a new app cannot take part of another
/// app's traffic by naming its host. The rule lives here once: the nginx renderer routes only owners and the
/// status calculator reports the others. It looks at the effective manifest (the last valid one while the
/// current one is broken), like everything else that converges.
/// </summary>
public sealed class HttpHostOwners
{
    // Built once per manifest set: the status writer asks for every manifest on every pass.
    private static readonly ConditionalWeakTable<ImmutableSortedDictionary<ManifestId, ManifestEntry>, HttpHostOwners> Cache = new();

    private readonly Dictionary<string, ManifestEntry> _owners = new(StringComparer.Ordinal);

    private HttpHostOwners(ImmutableSortedDictionary<ManifestId, ManifestEntry> manifests)
    {
        foreach (var entry in manifests.Values)
        {
            if (entry.Effective?.Http is not { } http)
                continue;
            // Sorted by id, so on equal revisions the first one seen stays.
            if (!_owners.TryGetValue(http.Host, out var owner) || entry.CreateRevision < owner.CreateRevision)
                _owners[http.Host] = entry;
        }
    }

    public static HttpHostOwners Of(ClusterState state) => Cache.GetValue(state.Manifests, static m => new HttpHostOwners(m));

    /// <summary>The manifest that serves <paramref name="host"/>, or null when no manifest declares it.</summary>
    public ManifestId? OwnerOf(string host) => _owners.TryGetValue(host, out var owner) ? owner.Id : null;

    /// <summary>True when <paramref name="entry"/> declares an http host and serves it.</summary>
    public bool Serves(ManifestEntry entry) => entry.Effective?.Http is { } http && OwnerOf(http.Host) == entry.Id;

    /// <summary>The status error of a manifest whose http host another manifest serves; null when it has none or serves it.</summary>
    public string? Conflict(ManifestEntry entry) =>
        entry.Effective?.Http is { } http && OwnerOf(http.Host) is { } owner && owner != entry.Id
            ? $"http.host {http.Host} is served by {owner}; this manifest is not routed"
            : null;
}
