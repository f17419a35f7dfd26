using Dokkaa.Core.Cluster;

namespace Dokkaa.Agent.Reconciliation;

/// <summary>The step <see cref="InstanceDecider"/> chose and what it needs.</summary>
/// <param name="Step">What to do.</param>
/// <param name="Error">For <see cref="InstanceStep.Restart"/>: why the container exited.</param>
/// <param name="Report">For <see cref="InstanceStep.Report"/>: the claim as it should read.</param>
/// <param name="Forgive">The container ran long enough: its restart backoff is forgiven.</param>
public sealed record InstanceDecision(InstanceStep Step, string? Error = null, InstanceRecord? Report = null, bool Forgive = false);
