using System.Text.Json;
using System.Text.Json.Serialization;
using Dokkaa.Core.Cluster;

namespace Dokkaa.WebConsole.Live;

/// <summary>
/// One manifest as the console shows it: what it asks for (<see cref="Desired"/>) against what its claims say
/// runs now (<see cref="Running"/>, computed from the claims exactly as the agents compute their status), and
/// each instance with its host and ports. <see cref="Reported"/> is what the agents last wrote, if anything.
/// </summary>
public sealed record AppView(
    string App,
    string Name,
    long Revision,
    bool Valid,
    IReadOnlyList<FieldError> Errors,
    string Raw,
    JsonElement? Manifest,
    string? Image,
    int Desired,
    int Running,
    int Pending,
    int Outdated,
    IReadOnlyList<string> Problems,
    ReportedStatus? Reported,
    IReadOnlyList<InstanceView> Instances);

/// <summary>The agents' last status record for a manifest.</summary>
public sealed record ReportedStatus(int Desired, int Running, int Pending, int Outdated, IReadOnlyList<string> Errors, long ObservedRevision);

/// <summary>One claimed instance: where it runs and on which host ports. <see cref="Current"/>: it runs the current manifest.</summary>
public sealed record InstanceView(
    int Instance,
    string ContainerName,
    string Host,
    string Address,
    InstanceState State,
    bool Current,
    IReadOnlyDictionary<string, int> Ports,
    string? Error,
    int Restarts,
    DateTimeOffset UpdatedAt);

/// <summary>A live host: its record, the containers it runs, and how long ago its agent last renewed its lease.</summary>
public sealed record HostView(
    string Name,
    string Address,
    string AgentVersion,
    DateTimeOffset StartedAt,
    DateTimeOffset RegisteredAt,
    int Capacity,
    bool Draining,
    int Instances,
    IReadOnlyDictionary<string, string> Labels,
    IReadOnlyList<string> Containers,
    [property: JsonNumberHandling(JsonNumberHandling.WriteAsString)] long Lease,
    HostHeartbeat? Heartbeat);

/// <summary>
/// The host's liveness as etcd sees it: its lease was last renewed at <see cref="LastBeatAt"/> (to the second),
/// has <see cref="RemainingSeconds"/> of <see cref="TtlSeconds"/> left, measured at <see cref="MeasuredAt"/>.
/// </summary>
public sealed record HostHeartbeat(DateTimeOffset LastBeatAt, long TtlSeconds, long RemainingSeconds, DateTimeOffset MeasuredAt)
{
    public double AgeSeconds(DateTimeOffset now) => Math.Max(0, (now - LastBeatAt).TotalSeconds);
}

/// <summary>Everything the page shows, at one etcd revision (the <c>snapshot</c> event of <c>/api/events</c>).</summary>
public sealed record ClusterSnapshot(long Revision, DateTimeOffset ServerTime, IReadOnlyList<HostView> Hosts, IReadOnlyList<AppView> Apps);

/// <summary>What changed since the previous event on the same stream (the <c>change</c> event of <c>/api/events</c>).</summary>
public sealed record ChangeEvent(long Revision, IReadOnlyList<KeyChange> Changes);

/// <summary>One key that was written (<c>put</c>) or deleted (<c>delete</c>); <see cref="Kind"/>: manifest, instance, host or status.</summary>
public sealed record KeyChange(string Kind, string Op, string Key);

/// <summary>The hosts' heartbeats (the <c>heartbeat</c> event of <c>/api/events</c>), by host name.</summary>
public sealed record HeartbeatEvent(DateTimeOffset ServerTime, IReadOnlyDictionary<string, HostHeartbeat> Hosts);
