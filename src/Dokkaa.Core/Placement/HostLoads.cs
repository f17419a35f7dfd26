using Dokkaa.Core.Cluster;
using Dokkaa.Core.Manifests;

namespace Dokkaa.Core.Placement;

/// <summary>
/// The one model of host load: what each live host carries (instances, and the CPU and memory their manifests
/// reserve) and whether it is closed to new instances (drained or draining), as arrays by host position in
/// <see cref="HostTable"/>: the planner adds to them manifest after manifest without a dictionary lookup per
/// host, and <see cref="HostFit"/> reads them.
/// </summary>
public sealed class HostLoads
{
    private readonly HostTable _table;

    private HostLoads(HostTable table)
    {
        _table = table;
        var count = table.Count;
        Instances = new int[count];
        MilliCpus = new int[count];
        MemoryBytes = new long[count];
        Closed = new bool[count];
    }

    internal int[] Instances { get; }
    internal int[] MilliCpus { get; }
    internal long[] MemoryBytes { get; }
    internal bool[] Closed { get; }

    /// <summary>How many instances <paramref name="hostId"/> carries (claims of any manifest, deleted ones too); 0 for a host that is not live.</summary>
    public int InstancesOn(string hostId) => _table.Index.TryGetValue(hostId, out var h) ? Instances[h] : 0;

    internal void Add(int host, ResourceRequest? resources)
    {
        Instances[host]++;
        MilliCpus[host] += resources?.MilliCpus ?? 0;
        MemoryBytes[host] += resources?.MemoryBytes ?? 0;
    }

    /// <summary>The load of every live host of <paramref name="state"/>, in the order of <see cref="HostTable.Of"/>.</summary>
    public static HostLoads Of(ClusterState state) => Of(state, HostTable.Of(state));

    /// <summary>Every claim on a live host (whatever its manifest), and which hosts take nothing new.</summary>
    internal static HostLoads Of(ClusterState state, HostTable table)
    {
        var loads = new HostLoads(table);
        for (var h = 0; h < table.Count; h++)
            loads.Closed[h] = state.IsDraining(table.Hosts[h]);
        foreach (var claim in state.Instances.Values)
        {
            if (table.Index.TryGetValue(claim.Record.Host, out var h))
                loads.Add(h, state.Manifests.TryGetValue(claim.Id.Manifest, out var entry) ? entry.Effective?.Resources : null);
        }

        return loads;
    }
}
