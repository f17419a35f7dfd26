using Dokkaa.Core.Etcd;

namespace Dokkaa.Agent.Tests.Integration;

/// <summary>
/// A real etcd whose lease renewals are answered late: each keepalive waits <see cref="Delay"/> before it is sent
/// on. Everything else passes straight through. What an agent sees from an overloaded etcd that still answers.
/// </summary>
public sealed class SlowKeepAliveEtcd(IEtcdClient inner, TimeSpan delay) : IEtcdClient
{
    /// <summary>How late each renewal is sent on; a test may set it back to zero (etcd recovers).</summary>
    public TimeSpan Delay { get; set; } = delay;

    public async Task<long> LeaseKeepAliveAsync(long leaseId, CancellationToken cancellationToken = default)
    {
        if (Delay > TimeSpan.Zero)
            await Task.Delay(Delay, cancellationToken);
        return await inner.LeaseKeepAliveAsync(leaseId, cancellationToken);
    }

    public Task<RangeResult> RangeAsync(string key, bool prefix = false, long revision = 0, CancellationToken cancellationToken = default) =>
        inner.RangeAsync(key, prefix, revision, cancellationToken);

    public Task<long> PutAsync(string key, string value, long leaseId = 0, CancellationToken cancellationToken = default) =>
        inner.PutAsync(key, value, leaseId, cancellationToken);

    public Task<long> DeleteAsync(string key, bool prefix = false, CancellationToken cancellationToken = default) =>
        inner.DeleteAsync(key, prefix, cancellationToken);

    public Task<TxnResult> TxnAsync(TxnRequest request, CancellationToken cancellationToken = default) =>
        inner.TxnAsync(request, cancellationToken);

    public Task<Lease> LeaseGrantAsync(long ttlSeconds, CancellationToken cancellationToken = default) =>
        inner.LeaseGrantAsync(ttlSeconds, cancellationToken);

    public Task LeaseRevokeAsync(long leaseId, CancellationToken cancellationToken = default) =>
        inner.LeaseRevokeAsync(leaseId, cancellationToken);

    public IAsyncEnumerable<WatchEvent> WatchAsync(string key, bool prefix, long startRevision, CancellationToken cancellationToken = default) =>
        inner.WatchAsync(key, prefix, startRevision, cancellationToken);

    public void Dispose() => inner.Dispose();
}
