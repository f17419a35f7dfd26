using System.Runtime.CompilerServices;
using Dokkaa.Core.Cluster;
using Dokkaa.Core.Manifests;

namespace Dokkaa.Core.Placement;

/// <summary>
/// Whether a host can take one more instance of a manifest: the one rule that placement, rebalance, the status
/// ("no eligible host") and drain ("no other host fits") apply, so an instance the status calls placeable is one
/// the planner will place, and a drain refuses exactly the instances nothing else can run.
/// </summary>
public static class HostFit
{
    // The loads of every host are a sweep over every claim; the status writer asks per manifest with pending
    // instances, so they are computed once per snapshot.
    private static readonly ConditionalWeakTable<ClusterState, HostLoads> Loads = new();

    /// <summary>
    /// The part that does not depend on load: the host is not draining (its own flag or an operator's drain key)
    /// and carries every label the manifest requires. What rebalance spreads over; capacity is left to placement.
    /// </summary>
    public static bool Accepts(ClusterState state, HostEntry host, Manifest manifest) =>
        Accepts(state.IsDraining(host), host.Record, manifest);

    /// <summary><see cref="Accepts(ClusterState, HostEntry, Manifest)"/> with the drain already looked up.</summary>
    internal static bool Accepts(bool draining, HostRecord record, Manifest manifest)
    {
        if (draining)
            return false;
        foreach (var (label, value) in manifest.Constraints)
        {
            if (!record.Labels.TryGetValue(label, out var actual) || actual != value)
                return false;
        }

        return true;
    }

    /// <summary>The part that depends on load: instance, CPU and memory capacity left for one more instance (0 in the record: no limit).</summary>
    internal static bool HasRoom(HostRecord record, Manifest manifest, int instances, int milliCpus, long memoryBytes)
    {
        if (record.Capacity > 0 && instances >= record.Capacity)
            return false;
        var wanted = manifest.Resources;
        if (wanted is null)
            return true;
        if (record.MilliCpus > 0 && wanted.MilliCpus > 0 && milliCpus + wanted.MilliCpus > record.MilliCpus)
            return false;
        return !(record.MemoryBytes > 0 && wanted.MemoryBytes > 0 && memoryBytes + wanted.MemoryBytes > record.MemoryBytes);
    }

    /// <summary>
    /// Whether some live host other than <paramref name="except"/> accepts one more instance of
    /// <paramref name="manifest"/> and has room for it, given every claim of <paramref name="state"/>.
    /// </summary>
    public static bool AnyHostTakes(ClusterState state, Manifest manifest, string? except = null)
    {
        var table = HostTable.Of(state);
        var loads = Loads.GetValue(state, HostLoads.Of);
        for (var h = 0; h < table.Count; h++)
        {
            var host = table.Hosts[h];
            if (host.HostId != except && Accepts(loads.Closed[h], host.Record, manifest)
                && HasRoom(host.Record, manifest, loads.Instances[h], loads.MilliCpus[h], loads.MemoryBytes[h]))
                return true;
        }

        return false;
    }
}
