using Dokkaa.Core.Cluster;

namespace Dokkaa.Agent.Reconciliation;

/// <summary>A status this host writes (or, with a null <paramref name="Status"/>, deletes) if it is still at <paramref name="ModRevision"/> (0: absent).</summary>
public sealed record StatusChange(ManifestId Id, StatusRecord? Status, long ModRevision);
