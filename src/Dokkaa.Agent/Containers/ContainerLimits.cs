namespace Dokkaa.Agent.Containers;

/// <summary>
/// The limits a host puts on a container whose manifest asks for none (<c>--default-memory</c>, <c>--default-cpus</c>,
/// <c>--default-pids</c>), so that one manifest cannot take the host down: a fork bomb meets the PID limit and a leak the
/// memory limit. Zero means no limit. They are limits only: placement still counts what manifests reserve.
/// </summary>
public sealed record ContainerLimits(long MemoryBytes, int MilliCpus, long Pids)
{
    /// <summary>2 GiB and 4,096 processes, no CPU limit (contention for CPU slows a host down but does not take it down).</summary>
    public static readonly ContainerLimits Default = new(2L * 1024 * 1024 * 1024, 0, 4096);

    public static readonly ContainerLimits None = new(0, 0, 0);
}
