using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using Dokkaa.Core.Cluster;

namespace Dokkaa.Core.Discovery;

/// <summary>
/// Which manifest a service name belongs to within its app: the one whose key was created first (the lowest
/// create revision; the name breaks a tie, which only one transaction writing both keys can cause). A later
/// manifest offering the same name does not serve it: links, DNS service names and <c>dokkaa resolve</c> only
/// see the owner, and the later manifest's status says why. Without this rule any manifest of the app could
/// take over a service's link traffic by naming the same service (the ambassador prefers local instances, so
/// on its host it would take all of it). Ownership follows the effective manifests, so when the owner is deleted
/// or stops offering the name, the next oldest manifest offering it takes over.
/// </summary>
public sealed class ServiceOwners
{
    // Owners depend on the manifests alone: one table per manifests dictionary, shared by every snapshot that
    // only changed claims, hosts or statuses.
    private static readonly ConditionalWeakTable<ImmutableSortedDictionary<ManifestId, ManifestEntry>, ServiceOwners> Tables = new();

    private readonly Dictionary<(string App, string Service), ManifestEntry> _owners = new();

    private ServiceOwners(ImmutableSortedDictionary<ManifestId, ManifestEntry> manifests)
    {
        foreach (var entry in manifests.Values)
        {
            if (entry.Effective is not { } manifest)
                continue;
            foreach (var service in manifest.Services.Keys)
            {
                var key = (entry.Id.App, service);
                if (!_owners.TryGetValue(key, out var owner) || Precedes(entry, owner))
                    _owners[key] = entry;
            }
        }
    }

    /// <summary>The owners for the manifests of <paramref name="state"/>, computed once per manifest set.</summary>
    public static ServiceOwners Of(ClusterState state) => Tables.GetValue(state.Manifests, static m => new ServiceOwners(m));

    /// <summary>The manifest that serves <paramref name="service"/> in <paramref name="app"/>; null when none offers it.</summary>
    public ManifestId? OwnerOf(string app, string service) =>
        _owners.TryGetValue((app, service), out var owner) ? owner.Id : null;

    /// <summary>True when <paramref name="id"/> is the manifest that serves <paramref name="service"/> in its app.</summary>
    public bool Owns(ManifestId id, string service) => OwnerOf(id.App, service) == id;

    /// <summary>One line per service <paramref name="entry"/> offers but another manifest owns, for its status.</summary>
    public IReadOnlyList<string> Conflicts(ManifestEntry entry)
    {
        if (entry.Effective is not { } manifest)
            return Array.Empty<string>();
        var conflicts = new List<string>();
        foreach (var service in manifest.Services.Keys)
        {
            if (OwnerOf(entry.Id.App, service) is { } owner && owner != entry.Id)
                conflicts.Add($"service {service} is already offered by {owner}; this manifest's instances get no link connections or DNS service records for {service}");
        }

        return conflicts;
    }

    private static bool Precedes(ManifestEntry a, ManifestEntry b) =>
        a.CreateRevision != b.CreateRevision
            ? a.CreateRevision < b.CreateRevision
            : string.CompareOrdinal(a.Id.Name, b.Id.Name) < 0;
}
