using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using Dokkaa.Core.Cluster;

namespace Dokkaa.Core.Placement;

/// <summary>
/// The live hosts of a snapshot as arrays indexed by position, with what placement needs of each that does not
/// depend on the manifest: its id, record and rendezvous hash prefix. Built once per host dictionary (a new one
/// whenever a host comes, goes or changes its record) and shared
/// by every manifest planned over it (building it per manifest, a string hash and a dictionary insert per host,
/// was most of the time of re-placing after a failure: 5 s of a 7.6 s pass at 10,000 hosts).
/// </summary>
internal sealed class HostTable
{
    // Keyed by the host dictionary itself: snapshots share it while no host comes, goes or changes its record.
    private static readonly ConditionalWeakTable<ImmutableSortedDictionary<string, HostEntry>, HostTable> Tables = new();

    private HostTable(IReadOnlyCollection<HostEntry> hosts)
    {
        Hosts = hosts.ToArray();
        Prefixes = new ulong[Hosts.Length];
        Index = new Dictionary<string, int>(Hosts.Length, StringComparer.Ordinal);
        for (var h = 0; h < Hosts.Length; h++)
        {
            Index[Hosts[h].HostId] = h;
            Prefixes[h] = RendezvousHash.Prefix(Hosts[h].HostId);
        }
    }

    public HostEntry[] Hosts { get; }

    /// <summary>Each host's <see cref="RendezvousHash.Prefix"/>.</summary>
    public ulong[] Prefixes { get; }

    public Dictionary<string, int> Index { get; }

    public int Count => Hosts.Length;

    /// <summary>The table of <paramref name="state"/>'s live hosts, shared while no host comes, goes or changes its record.</summary>
    public static HostTable Of(ClusterState state) =>
        Tables.GetValue(state.Hosts, static hosts => new HostTable(hosts.Values.ToArray()));
}
