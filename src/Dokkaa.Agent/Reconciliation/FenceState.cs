namespace Dokkaa.Agent.Reconciliation;

/// <summary>What a pass knows about the exclusive fence: whether it is closed now, and when the lease was last confirmed.</summary>
/// <param name="CutOff">The lease went unconfirmed too long: exclusive instances must not start or be claimed.</param>
public readonly record struct FenceState(bool CutOff, DateTimeOffset LastRenewed, TimeSpan Ttl);
