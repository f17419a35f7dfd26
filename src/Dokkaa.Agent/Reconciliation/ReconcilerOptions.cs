using Dokkaa.Agent.Containers;

namespace Dokkaa.Agent.Reconciliation;

/// <summary>
/// What the reconciler and the instance operations need from the agent's configuration. Its own type, so that the
/// decisions do not depend on how the agent is hosted (the host builds it from its options).
/// </summary>
public sealed record ReconcilerOptions
{
    /// <summary>The address other hosts reach this host's published ports on (written into every claim).</summary>
    public required string HostIp { get; init; }

    /// <summary>How long the host ranked n-th waits (n times this) before it claims an instance the better ones left.</summary>
    public TimeSpan ClaimStagger { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest a pass sleeps when nothing wakes it.</summary>
    public TimeSpan ResyncInterval { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a replacement must stay up before it takes over in a rolling update.</summary>
    public TimeSpan UpdateStability { get; init; } = TimeSpan.FromSeconds(2);

    public ContainerLimits ContainerDefaults { get; init; } = ContainerLimits.Default;

    public int MaxParallelOperations { get; init; } = 32;
}
