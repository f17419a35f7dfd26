using System.Text.Json.Serialization;

namespace Dokkaa.Core.Cluster;

/// <summary>Lifecycle of one claimed instance, as the owning agent reports it in the claim.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<InstanceState>))]
public enum InstanceState
{
    /// <summary>Claimed; the container is being created or started.</summary>
    Starting,
    /// <summary>The container runs the manifest hash in the claim.</summary>
    Running,
    /// <summary>The container could not be created or keeps exiting; see the error, retried with backoff.</summary>
    Failed,
    /// <summary>The owner is stopping it (scale down, delete, move).</summary>
    Stopping,
}

/// <summary>
/// The value of <c>/dokkaa/instances/&lt;app&gt;/&lt;name&gt;/&lt;i&gt;</c>, attached to the owner's lease:
/// when the owner dies the claim disappears and another host claims the instance.
/// </summary>
public sealed record InstanceRecord : IClusterRecord
{
    public required string Host { get; init; }
    /// <summary>Address other hosts use to reach this instance's published ports.</summary>
    public required string Address { get; init; }
    public string? ContainerId { get; init; }
    public string? ContainerName { get; init; }
    public required string ManifestHash { get; init; }
    public InstanceState State { get; init; }
    /// <summary>Published ports: <c>80/tcp</c> to the host port.</summary>
    public IReadOnlyDictionary<string, int> Ports { get; init; } = new Dictionary<string, int>();
    public string? Error { get; init; }
    public int Restarts { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }

    bool IClusterRecord.IsWellFormed => Host is not null && Address is not null && ManifestHash is not null && Ports is not null;
}

/// <summary>The value of <c>/dokkaa/hosts/&lt;host&gt;</c>, attached to the host's lease (its heartbeat).</summary>
public sealed record HostRecord : IClusterRecord
{
    public required string Address { get; init; }
    public required string AgentVersion { get; init; }
    public DateTimeOffset StartedAt { get; init; }
    /// <summary>How many instances this host will run at most (0: no limit).</summary>
    public int Capacity { get; init; }

    /// <summary>CPU this host offers to instances, in thousandths of a core (0: not limited).</summary>
    public int MilliCpus { get; init; }

    /// <summary>Memory this host offers to instances, in bytes (0: not limited).</summary>
    public long MemoryBytes { get; init; }
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    /// <summary>A draining host keeps what it runs until others take it over, and claims nothing new.</summary>
    public bool Draining { get; init; }
    public DateTimeOffset HeartbeatAt { get; init; }

    /// <summary>
    /// Why this host routes no HTTP at all (its nginx cannot run); null when it does or HTTP is off by choice.
    /// In the host record, like <see cref="HttpRouteErrors"/>, because nginx runs on every host and its problems
    /// are this host's, whether or not it runs an instance; they go away with the host's lease.
    /// </summary>
    public string? HttpError { get; init; }

    /// <summary>
    /// Why exclusive instances cannot start on this host (its fence process does not run); null when they can. Claims
    /// do not wait for the fence, so without this the instances this host claimed would only look slow.
    /// </summary>
    public string? FenceError { get; init; }

    /// <summary>HTTP routes that do not work through this host's nginx, by manifest (<c>app/name</c>); null when all work.</summary>
    public IReadOnlyDictionary<string, string>? HttpRouteErrors { get; init; }

    bool IClusterRecord.IsWellFormed => Address is not null && AgentVersion is not null && Labels is not null
        && (HttpRouteErrors is null || HttpRouteErrors.Values.All(e => e is not null));
}

/// <summary>The value of <c>/dokkaa/status/&lt;app&gt;/&lt;name&gt;</c>: what the agents see of one manifest.</summary>
public sealed record StatusRecord : IClusterRecord
{
    /// <summary>The mod revision of the manifest this status describes.</summary>
    public long ObservedRevision { get; init; }
    public string? ManifestHash { get; init; }
    public int Desired { get; init; }
    /// <summary>Instances running the current manifest.</summary>
    public int Running { get; init; }
    /// <summary>Instances that no host has claimed (yet).</summary>
    public int Pending { get; init; }
    /// <summary>Instances still running an older manifest (a rolling update is in progress or stuck).</summary>
    public int Outdated { get; init; }
    public IReadOnlyList<string> Errors { get; init; } = Array.Empty<string>();

    bool IClusterRecord.IsWellFormed => Errors is not null && Errors.All(e => e is not null);
}
