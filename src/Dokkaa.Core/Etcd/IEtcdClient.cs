namespace Dokkaa.Core.Etcd;

/// <summary>
/// The part of the etcd v3 API that Dokkaa uses. The production implementation (Dokkaa.Etcd) talks to
/// etcd's gRPC API through dotnet-etcd; an in-memory implementation serves unit tests and the scale simulation.
/// Keys and values are UTF-8 strings. Every call may throw <see cref="EtcdException"/>.
/// </summary>
public interface IEtcdClient : IDisposable
{
    /// <summary>Reads one key, or every key under a prefix when <paramref name="prefix"/> is true.</summary>
    /// <param name="revision">Read at this revision (0: latest).</param>
    Task<RangeResult> RangeAsync(string key, bool prefix = false, long revision = 0, CancellationToken cancellationToken = default);

    /// <summary>Writes a key, attached to a lease when <paramref name="leaseId"/> is not 0. Returns the new revision.</summary>
    Task<long> PutAsync(string key, string value, long leaseId = 0, CancellationToken cancellationToken = default);

    /// <summary>Deletes a key or a prefix. Returns how many keys were deleted.</summary>
    Task<long> DeleteAsync(string key, bool prefix = false, CancellationToken cancellationToken = default);

    /// <summary>An atomic compare-then-act transaction.</summary>
    Task<TxnResult> TxnAsync(TxnRequest request, CancellationToken cancellationToken = default);

    /// <summary>Grants a lease of <paramref name="ttlSeconds"/>.</summary>
    Task<Lease> LeaseGrantAsync(long ttlSeconds, CancellationToken cancellationToken = default);

    /// <summary>Renews a lease once. Returns the remaining TTL in seconds, or 0 when the lease no longer exists.</summary>
    Task<long> LeaseKeepAliveAsync(long leaseId, CancellationToken cancellationToken = default);

    /// <summary>
    /// How much of a lease's TTL is left, without renewing it; null when the lease does not exist (expired or
    /// revoked). The console reads the hosts' heartbeats with it.
    /// </summary>
    Task<LeaseTimeToLive?> LeaseTimeToLiveAsync(long leaseId, CancellationToken cancellationToken = default);

    /// <summary>Revokes a lease, deleting every key attached to it. Revoking an unknown lease is not an error.</summary>
    Task LeaseRevokeAsync(long leaseId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Streams every change to a key or prefix from <paramref name="startRevision"/> on, in revision order.
    /// Reconnects (to another endpoint if need be) and resumes after the last revision it delivered, so
    /// no event is lost or repeated. Throws <see cref="EtcdCompactedException"/> when the start revision has
    /// been compacted away: the caller must re-read the state and watch again from a newer revision.
    /// </summary>
    IAsyncEnumerable<WatchEvent> WatchAsync(string key, bool prefix, long startRevision, CancellationToken cancellationToken = default);
}
