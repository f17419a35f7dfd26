namespace Dokkaa.Agent.Fencing;

/// <summary>
/// What the agent tells the fence process (<c>fence/lease.json</c> in the data directory): the lease that this
/// host's exclusive claims are attached to, when its last confirmed renewal was sent (monotonic clock, shared by all
/// processes of one boot), which manifests are exclusive, and which agent process wrote it.
/// </summary>
public sealed record FenceRecord
{
    public string HostId { get; init; } = "";

    public long LeaseId { get; init; }

    public long TtlMs { get; init; }

    /// <summary>When the last confirmed renewal of <see cref="LeaseId"/> was sent, in nanoseconds of CLOCK_MONOTONIC.</summary>
    public long RenewedAtNs { get; init; }

    /// <summary>The kernel's boot id: monotonic times of another boot cannot be compared with this one's.</summary>
    public string BootId { get; init; } = "";

    /// <summary>Exclusive manifests as <c>app/name</c>: their containers on this host are the ones the fence stops.</summary>
    public IReadOnlyList<string> Exclusive { get; init; } = Array.Empty<string>();

    public int AgentPid { get; init; }

    /// <summary>Set by an agent that shut down normally: no renewal will follow from it.</summary>
    public bool AgentStopped { get; init; }
}
