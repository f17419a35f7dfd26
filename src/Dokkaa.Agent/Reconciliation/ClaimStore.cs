using Dokkaa.Core.Cluster;
using Dokkaa.Core.Etcd;

namespace Dokkaa.Agent.Reconciliation;

/// <summary>
/// The etcd transactions behind ownership. A claim is created only if the key does not exist, attached
/// to this host's lease; every later write compares the create revision, so a host can never overwrite a
/// claim that was lost and re-created by someone else in between.
/// </summary>
public sealed class ClaimStore
{
    private readonly IEtcdClient _etcd;

    public ClaimStore(IEtcdClient etcd) => _etcd = etcd;

    /// <summary>Creates the claim if nobody holds it. Returns true if this host now owns the instance.</summary>
    public async Task<bool> TryClaimAsync(InstanceId id, InstanceRecord record, long leaseId, CancellationToken cancellationToken)
    {
        var result = await _etcd.TxnAsync(
            new TxnRequest(
                new[] { Compare.Absent(id.Key) },
                new TxnOp[] { new TxnOp.Put(id.Key, ClusterJson.Serialize(record), leaseId) }),
            cancellationToken).ConfigureAwait(false);
        return result.Succeeded;
    }

    /// <summary>Rewrites an owned claim (state, ports, error), still attached to <paramref name="leaseId"/>. False if the claim is no longer the one we created.</summary>
    public async Task<bool> UpdateAsync(InstanceClaim claim, InstanceRecord record, long leaseId, CancellationToken cancellationToken)
    {
        var result = await _etcd.TxnAsync(
            new TxnRequest(
                new[] { Compare.CreatedAt(claim.Id.Key, claim.CreateRevision) },
                new TxnOp[] { new TxnOp.Put(claim.Id.Key, ClusterJson.Serialize(record), leaseId) }),
            cancellationToken).ConfigureAwait(false);
        return result.Succeeded;
    }

    /// <summary>Deletes an owned claim, unless someone else re-created it meanwhile.</summary>
    public async Task<bool> ReleaseAsync(InstanceClaim claim, CancellationToken cancellationToken)
    {
        var result = await _etcd.TxnAsync(
            new TxnRequest(
                new[] { Compare.CreatedAt(claim.Id.Key, claim.CreateRevision) },
                new TxnOp[] { new TxnOp.Delete(claim.Id.Key) }),
            cancellationToken).ConfigureAwait(false);
        return result.Succeeded;
    }

    /// <summary>Takes the one-per-manifest rollout lock (or replaces a stale one at <paramref name="staleModRevision"/>).</summary>
    public async Task<long?> TryLockRolloutAsync(ManifestId id, RolloutRecord record, long leaseId, long staleModRevision, CancellationToken cancellationToken)
    {
        var key = KeyLayout.Rollout(id.App, id.Name);
        var compare = staleModRevision == 0 ? Compare.Absent(key) : Compare.ModifiedAt(key, staleModRevision);
        var result = await _etcd.TxnAsync(
            new TxnRequest(new[] { compare }, new TxnOp[] { new TxnOp.Put(key, ClusterJson.Serialize(record), leaseId) }),
            cancellationToken).ConfigureAwait(false);
        return result.Succeeded ? result.Revision : null;
    }

    public async Task MarkRolloutFailedAsync(ManifestId id, RolloutRecord record, long leaseId, CancellationToken cancellationToken) =>
        await _etcd.PutAsync(KeyLayout.Rollout(id.App, id.Name), ClusterJson.Serialize(record with { Failed = true }), leaseId, cancellationToken).ConfigureAwait(false);

    public async Task UnlockRolloutAsync(ManifestId id, CancellationToken cancellationToken) =>
        await _etcd.DeleteAsync(KeyLayout.Rollout(id.App, id.Name), cancellationToken: cancellationToken).ConfigureAwait(false);

    /// <summary>Writes a status if it still is at <paramref name="modRevision"/> (0: absent), so concurrent writers never clobber a newer view.</summary>
    public async Task WriteStatusAsync(ManifestId id, StatusRecord status, long modRevision, CancellationToken cancellationToken)
    {
        var key = KeyLayout.Status(id.App, id.Name);
        var compare = modRevision == 0 ? Compare.Absent(key) : Compare.ModifiedAt(key, modRevision);
        await _etcd.TxnAsync(new TxnRequest(new[] { compare }, new TxnOp[] { new TxnOp.Put(key, ClusterJson.Serialize(status)) }), cancellationToken).ConfigureAwait(false);
    }

    public async Task DeleteStatusAsync(ManifestId id, long modRevision, CancellationToken cancellationToken)
    {
        var key = KeyLayout.Status(id.App, id.Name);
        await _etcd.TxnAsync(new TxnRequest(new[] { Compare.ModifiedAt(key, modRevision) }, new TxnOp[] { new TxnOp.Delete(key) }), cancellationToken).ConfigureAwait(false);
    }
}
