namespace Dokkaa.Agent.Fencing;

/// <summary>
/// When a host may run its exclusive instances: only while its last confirmed lease renewal is at most half the TTL
/// old. A renewal keeps the lease at least a TTL from when it was sent, so the other half is the gap in which the
/// exclusive containers are stopped before any other host can see the lease expire and start its copy. The agent's
/// own fence (<c>ExclusiveFence</c>) and the fence process (<see cref="FenceLoop"/>) apply this one rule.
/// </summary>
public static class FenceRule
{
    /// <summary>How long <c>docker stop</c> waits after SIGTERM before it kills: well inside the half TTL of any sensible TTL.</summary>
    public static readonly TimeSpan StopGrace = TimeSpan.FromMilliseconds(500);

    /// <summary>How long after a confirmed renewal (counted from when it was sent) exclusive instances may run.</summary>
    public static TimeSpan OpenFor(TimeSpan ttl) => ttl / 2;

    /// <summary>Whether a renewal sent <paramref name="sinceRenewal"/> ago still lets exclusive instances run.</summary>
    public static bool IsOpen(TimeSpan sinceRenewal, TimeSpan ttl) => sinceRenewal <= OpenFor(ttl);

    /// <summary>
    /// The fence process's verdict on what the agent last recorded, at monotonic time <paramref name="nowNs"/> on
    /// this boot (<paramref name="bootId"/>). Anything it cannot trust closes the fence: no record, a record of an
    /// earlier boot (its monotonic times mean nothing now) or one from the future.
    /// </summary>
    public static FenceVerdict Decide(FenceRecord? record, string bootId, long nowNs)
    {
        if (record is null)
            return FenceVerdict.Closed("no lease record from the agent");
        if (!string.Equals(record.BootId, bootId, StringComparison.Ordinal))
            return FenceVerdict.Closed($"the lease record is from another boot ({record.BootId})");
        var sinceNs = nowNs - record.RenewedAtNs;
        if (sinceNs < 0)
            return FenceVerdict.Closed("the lease record's renewal time lies in the future");
        // Rounded up to whole ticks: the age is never taken for less than it is.
        var since = TimeSpan.FromTicks((sinceNs + 99) / 100);
        var ttl = TimeSpan.FromMilliseconds(record.TtlMs);
        return IsOpen(since, ttl)
            ? FenceVerdict.Open(OpenFor(ttl) - since)
            : FenceVerdict.Closed($"lease {record.LeaseId:x} not renewed for {since.TotalSeconds:0.0}s (ttl {ttl.TotalSeconds:0.#}s)");
    }
}
