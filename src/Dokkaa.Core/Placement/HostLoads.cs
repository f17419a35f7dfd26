using Dokkaa.Core.Cluster;
using Dokkaa.Core.Manifests;

namespace Dokkaa.Core.Placement;

/// <summary>
/// What each host of a <see cref="HostTable"/> carries (instances, reserved CPU and memory) and whether it is
/// closed to new instances (drained or draining), as arrays by host position: the planner adds to them
/// manifest after manifest without a dictionary lookup per host.
/// </summary>
internal sealed class HostLoads
{
    public HostLoads(int count)
    {
        Instances = new int[count];
        MilliCpus = new int[count];
        MemoryBytes = new long[count];
        Closed = new bool[count];
    }

    public int[] Instances { get; }
    public int[] MilliCpus { get; }
    public long[] MemoryBytes { get; }
    public bool[] Closed { get; }

    public void Add(int host, ResourceRequest? resources)
    {
        Instances[host]++;
        MilliCpus[host] += resources?.MilliCpus ?? 0;
        MemoryBytes[host] += resources?.MemoryBytes ?? 0;
    }

    /// <summary>Every claim on a live host, and which hosts take nothing new (as <see cref="HostUsage.Of"/>).</summary>
    public static HostLoads Of(ClusterState state, HostTable table)
    {
        var loads = new HostLoads(table.Count);
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
