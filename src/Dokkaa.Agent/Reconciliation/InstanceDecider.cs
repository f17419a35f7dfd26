using Dokkaa.Core.Cluster;

namespace Dokkaa.Agent.Reconciliation;

/// <summary>
/// The decision behind <see cref="InstanceOperations.EnsureAsync"/>, with no I/O: from an owned instance's claim,
/// its container, the backoff and the clock, the one step that brings it closer to "running the current manifest".
/// </summary>
public static class InstanceDecider
{
    public static InstanceDecision Decide(InstanceFacts facts)
    {
        var (claim, hash, details, now) = (facts.Claim, facts.Hash, facts.Container, facts.Now);
        var mayAttempt = facts.Backoff is null || facts.Backoff.NextAttempt <= now;
        if (details is null)
            return new InstanceDecision(mayAttempt ? InstanceStep.Start : InstanceStep.Nothing);

        if (details.Labels.GetValueOrDefault(ContainerNames.ManifestHashLabel) != hash)
        {
            // A stopped one serves nothing anyway: replaced in place, no rollout needed.
            if (!details.Running)
                return new InstanceDecision(mayAttempt ? InstanceStep.Recreate : InstanceStep.Remove);
            return new InstanceDecision(InstanceStep.Replace);
        }

        if (details.Running && facts.LinksIntact is null)
            return new InstanceDecision(InstanceStep.CheckLinks);
        if (details.Running && facts.LinksIntact == false)
            return new InstanceDecision(InstanceStep.Recreate); // Its links point at ports no listener can have again.

        if (!details.Running && facts.StoppedByFence)
            return new InstanceDecision(InstanceStep.RestartFenced); // The lease is fresh again (this runs only then).

        if (!details.Running)
        {
            var forgiven = facts.Backoff is { } entry && RestartBackoff.ForgivenBy(entry, details.StartedAt, details.FinishedAt);
            if (!forgiven && !mayAttempt)
                return new InstanceDecision(InstanceStep.Nothing);
            var ran = details.FinishedAt - details.StartedAt;
            var error = $"container exited with code {details.ExitCode}" +
                        (ran is { } d && d >= TimeSpan.Zero ? $" after {d.TotalSeconds:0.#}s" : "") +
                        (string.IsNullOrEmpty(details.Error) ? "" : $": {details.Error}");
            return new InstanceDecision(InstanceStep.Restart, Error: error, Forgive: forgiven);
        }

        // Running the right manifest: make sure the claim says so (ports may be new after a Docker restart).
        var stable = details.StartedAt is { } since && now - since >= RestartBackoff.StableAfter;
        var pendingError = !stable && facts.Backoff is { } failing ? $"{failing.Error} (restarted {claim.Record.Restarts} times)" : null;
        var wanted = ClaimRecords.For(details, facts.HostId, facts.HostIp, hash, InstanceState.Running, pendingError, now) with { Restarts = stable ? 0 : claim.Record.Restarts };
        return ClaimRecords.SameReport(claim.Record, wanted)
            ? new InstanceDecision(InstanceStep.Nothing, Forgive: stable)
            : new InstanceDecision(InstanceStep.Report, Report: wanted, Forgive: stable);
    }
}
