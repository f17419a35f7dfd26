using Dokkaa.Core.Cluster;
using Dokkaa.Core.Manifests;

namespace Dokkaa.Core.Placement;

/// <summary>What a host already carries: instances, and the CPU and memory their manifests reserve.</summary>
public sealed class HostUsage
{
    public int Instances { get; set; }
    public int MilliCpus { get; set; }
    public long MemoryBytes { get; set; }

    /// <summary>An operator drains this host: it fits nothing new.</summary>
    public bool Drained { get; set; }

    public void Add(ResourceRequest? resources)
    {
        Instances++;
        MilliCpus += resources?.MilliCpus ?? 0;
        MemoryBytes += resources?.MemoryBytes ?? 0;
    }

    /// <summary>The opposite of <see cref="Add"/>.</summary>
    public void Remove(ResourceRequest? resources)
    {
        Instances--;
        MilliCpus -= resources?.MilliCpus ?? 0;
        MemoryBytes -= resources?.MemoryBytes ?? 0;
    }

    /// <summary>Usage of every live host, from the claims in a snapshot.</summary>
    public static Dictionary<string, HostUsage> Of(ClusterState state)
    {
        var usage = state.Hosts.Keys.ToDictionary(h => h, h => new HostUsage { Drained = state.Drains.Contains(h) }, StringComparer.Ordinal);
        foreach (var claim in state.Instances.Values)
        {
            if (usage.TryGetValue(claim.Record.Host, out var host))
                host.Add(state.Manifests.TryGetValue(claim.Id.Manifest, out var entry) ? entry.Effective?.Resources : null);
        }

        return usage;
    }

    /// <summary>
    /// Whether one more instance of <paramref name="manifest"/> fits on <paramref name="host"/>: it carries
    /// every label the manifest requires, is not draining, and has instance, CPU and memory capacity left.
    /// </summary>
    public bool Fits(HostEntry host, Manifest manifest) =>
        !Drained && Accepts(host.Record, manifest) && HasRoom(host.Record, manifest, Instances, MilliCpus, MemoryBytes);

    /// <summary>The part of <see cref="Fits"/> that does not depend on usage: not draining, every label the manifest requires.</summary>
    internal static bool Accepts(HostRecord record, Manifest manifest)
    {
        if (record.Draining)
            return false;
        foreach (var (label, value) in manifest.Constraints)
        {
            if (!record.Labels.TryGetValue(label, out var actual) || actual != value)
                return false;
        }

        return true;
    }

    /// <summary>The part of <see cref="Fits"/> that depends on usage: instance, CPU and memory capacity left.</summary>
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
}
