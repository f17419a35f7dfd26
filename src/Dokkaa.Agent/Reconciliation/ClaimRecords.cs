using Dokkaa.Agent.Docker;
using Dokkaa.Core.Cluster;

namespace Dokkaa.Agent.Reconciliation;

/// <summary>How an instance's claim describes this host's container of it.</summary>
public static class ClaimRecords
{
    public static InstanceRecord New(string hostId, string hostIp, string hash, InstanceState state, DateTimeOffset now) => new()
    {
        Host = hostId,
        Address = hostIp,
        ManifestHash = hash,
        State = state,
        UpdatedAt = now,
    };

    public static InstanceRecord For(ContainerDetails details, string hostId, string hostIp, string hash, InstanceState state, string? error, DateTimeOffset now) =>
        New(hostId, hostIp, hash, state, now) with
        {
            ContainerId = details.Id,
            ContainerName = details.Name.TrimStart('/'),
            Ports = details.Ports,
            Error = error,
        };

    /// <summary>Whether two claims report the same thing (the time they were written aside).</summary>
    public static bool SameReport(InstanceRecord a, InstanceRecord b) =>
        a.State == b.State && a.ContainerId == b.ContainerId && a.ManifestHash == b.ManifestHash && a.Error == b.Error &&
        a.Address == b.Address && a.Restarts == b.Restarts && a.Ports.Count == b.Ports.Count &&
        a.Ports.All(p => b.Ports.TryGetValue(p.Key, out var v) && v == p.Value);
}
