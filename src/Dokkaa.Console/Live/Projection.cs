using System.Collections.Immutable;
using System.Text.Json;
using Dokkaa.Core.Cluster;
using Dokkaa.Core.Manifests;
using Dokkaa.Core.Operations;
using Dokkaa.Core.Placement;
using Dokkaa.Core.Status;

namespace Dokkaa.WebConsole.Live;

/// <summary>
/// Turns a <see cref="ClusterState"/> snapshot into what the API answers. Containers and statuses have the
/// shapes (and, tests check, the values) of <see cref="ClusterOperations"/>'s answers, so the API says what
/// <c>dokkaa ps</c>, <c>dokkaa status</c> and the cmdlets say; here they come from the live view, not a fresh read.
/// </summary>
internal static class Projection
{
    public static ClusterSnapshot Snapshot(ClusterState state, IReadOnlyDictionary<string, HostHeartbeat> heartbeats, DateTimeOffset now) =>
        new(state.Revision, now, Hosts(state, heartbeats), Apps(state));

    public static IReadOnlyList<AppView> Apps(ClusterState state, string? app = null, string? name = null)
    {
        var result = new List<AppView>();
        foreach (var (id, entry) in state.Manifests)
        {
            if (!Glob.IsMatch(id.App, app) || !Glob.IsMatch(id.Name, name))
                continue;
            result.Add(App(state, entry));
        }

        return result;
    }

    public static AppView App(ClusterState state, ManifestEntry entry)
    {
        var status = StatusCalculator.Compute(state, entry);
        var hash = entry.Hash;
        var instances = state.ClaimsOf(entry.Id)
            .Select(c => new InstanceView(c.Id.Instance, c.Record.ContainerName ?? c.Id.ContainerName, c.Record.Host, c.Record.Address, c.Record.State,
                c.Record.ManifestHash == hash, c.Record.Ports, c.Record.Error, c.Record.Restarts, c.Record.UpdatedAt))
            .ToList();
        ReportedStatus? reported = state.Statuses.TryGetValue(entry.Id, out var stored)
            ? new ReportedStatus(stored.Record.Desired, stored.Record.Running, stored.Record.Pending, stored.Record.Outdated, stored.Record.Errors, stored.Record.ObservedRevision)
            : null;
        return new AppView(
            entry.Id.App, entry.Id.Name, entry.ModRevision, entry.IsValid,
            entry.Errors.Select(e => new FieldError(e.Path, e.Message)).ToList(),
            entry.Raw,
            entry.Manifest is null ? null : ToElement(entry.Manifest),
            entry.Effective?.Image,
            status.Desired, status.Running, status.Pending, status.Outdated, status.Errors, reported, instances);
    }

    public static IReadOnlyList<HostView> Hosts(ClusterState state, IReadOnlyDictionary<string, HostHeartbeat> heartbeats)
    {
        var byHost = state.Instances.Values.ToLookup(c => c.Record.Host, StringComparer.Ordinal);
        var loads = HostLoads.Of(state);
        return state.Hosts.Values
            .Select(h => new HostView(
                h.HostId, h.Record.Address, h.Record.AgentVersion, h.Record.StartedAt, h.Record.HeartbeatAt, h.Record.Capacity,
                state.IsDraining(h), loads.InstancesOn(h.HostId), h.Record.Labels,
                byHost[h.HostId].Select(c => c.Record.ContainerName ?? c.Id.ContainerName).ToList(),
                h.Lease, heartbeats.TryGetValue(h.HostId, out var beat) ? beat : null))
            .ToList();
    }

    /// <summary>As <see cref="ClusterOperations.GetContainersAsync"/>, from the live view.</summary>
    public static IReadOnlyList<ContainerInfo> Containers(ClusterState state, string? app = null, string? name = null, string? host = null) =>
        ClusterOperations.ContainersOf(state, app, name, host);

    /// <summary>As <see cref="ClusterOperations.GetStatusAsync"/>: the agents' reports, or all pending where none has reported yet.</summary>
    public static IReadOnlyList<ManifestStatusInfo> Statuses(ClusterState state, string? app = null, string? name = null) =>
        ClusterOperations.StatusesOf(state, app, name);

    /// <summary>The keys that differ between two snapshots (records are immutable, so a changed entry is a different object).</summary>
    public static IReadOnlyList<KeyChange> Diff(ClusterState before, ClusterState after)
    {
        var changes = new List<KeyChange>();
        Compare(before.Manifests, after.Manifests, "manifest", id => KeyLayout.Manifest(id.App, id.Name), changes);
        Compare(before.Instances, after.Instances, "instance", id => id.Key, changes);
        Compare(before.Hosts, after.Hosts, "host", KeyLayout.Host, changes);
        Compare(before.Statuses, after.Statuses, "status", id => KeyLayout.Status(id.App, id.Name), changes);
        return changes;
    }

    private static void Compare<TKey, TValue>(ImmutableSortedDictionary<TKey, TValue> before, ImmutableSortedDictionary<TKey, TValue> after, string kind, Func<TKey, string> key, List<KeyChange> changes)
        where TKey : notnull
    {
        if (ReferenceEquals(before, after))
            return;
        foreach (var (id, value) in after)
        {
            if (!before.TryGetValue(id, out var old) || !Same(old, value))
                changes.Add(new KeyChange(kind, "put", key(id)));
        }

        foreach (var id in before.Keys)
        {
            if (!after.ContainsKey(id))
                changes.Add(new KeyChange(kind, "delete", key(id)));
        }
    }

    private static bool Same<T>(T a, T b) => typeof(T).IsValueType ? EqualityComparer<T>.Default.Equals(a, b) : ReferenceEquals(a, b);

    private static JsonElement ToElement(Manifest manifest)
    {
        using var document = JsonDocument.Parse(ManifestSerializer.ToCanonicalJson(manifest));
        return document.RootElement.Clone();
    }
}
