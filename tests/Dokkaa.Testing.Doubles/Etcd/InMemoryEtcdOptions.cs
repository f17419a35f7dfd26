namespace Dokkaa.Testing.Etcd;

/// <summary>How an <see cref="InMemoryEtcd"/> keeps time, how slow it pretends to be, and how much history it keeps.</summary>
public sealed record InMemoryEtcdOptions
{
    /// <summary>
    /// The clock for lease deadlines and for <see cref="Latency"/>. Pass a FakeTimeProvider
    /// to make leases expire when a test says so, or a simulation's virtual clock.
    /// </summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// Called before every operation for how long it should take (null: no delay). The delay is measured on
    /// <see cref="TimeProvider"/>, so with a manual clock it lasts until the clock is advanced past it.
    /// A function, so that a simulation can draw each latency from a distribution.
    /// </summary>
    public Func<TimeSpan>? Latency { get; init; }

    /// <summary>
    /// Keep at least this many revisions of history and compact older ones automatically (0: keep all,
    /// which is what an etcd without --auto-compaction does). Long simulations set this to bound memory.
    /// </summary>
    public long HistoryLimit { get; init; }
}
