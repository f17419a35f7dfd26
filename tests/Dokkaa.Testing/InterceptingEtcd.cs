using Dokkaa.Core.Etcd;

namespace Dokkaa.Testing;

/// <summary>
/// An <see cref="IEtcdClient"/> that forwards to another one, running a hook before each transaction
/// (to let "someone else" write between a read and a guarded write), failing every call, or sending lease
/// renewals on late (an overloaded etcd that still answers).
/// </summary>
public sealed class InterceptingEtcd : IEtcdClient
{
    private readonly IEtcdClient _inner;

    public InterceptingEtcd(IEtcdClient inner) => _inner = inner;

    /// <summary>Runs once, before the next transaction.</summary>
    public Func<Task>? BeforeNextTxn { get; set; }

    /// <summary>When set, every call throws it.</summary>
    public EtcdException? Failure { get; set; }

    /// <summary>When set, a transaction for which it answers an exception throws that instead of running (etcd refusing one write).</summary>
    public Func<TxnRequest, EtcdException?>? RefuseTxn { get; set; }

    /// <summary>How late each lease renewal is sent on (zero: at once).</summary>
    public TimeSpan KeepAliveDelay { get; set; }

    public Task<RangeResult> RangeAsync(string key, bool prefix = false, long revision = 0, CancellationToken cancellationToken = default) =>
        Failure is { } f ? throw f : _inner.RangeAsync(key, prefix, revision, cancellationToken);

    public Task<long> PutAsync(string key, string value, long leaseId = 0, CancellationToken cancellationToken = default) =>
        Failure is { } f ? throw f : _inner.PutAsync(key, value, leaseId, cancellationToken);

    public Task<long> DeleteAsync(string key, bool prefix = false, CancellationToken cancellationToken = default) =>
        Failure is { } f ? throw f : _inner.DeleteAsync(key, prefix, cancellationToken);

    public async Task<TxnResult> TxnAsync(TxnRequest request, CancellationToken cancellationToken = default)
    {
        if (Failure is { } f)
            throw f;
        if (RefuseTxn?.Invoke(request) is { } refused)
            throw refused;
        if (BeforeNextTxn is { } hook)
        {
            BeforeNextTxn = null;
            await hook();
        }

        return await _inner.TxnAsync(request, cancellationToken);
    }

    public Task<Lease> LeaseGrantAsync(long ttlSeconds, CancellationToken cancellationToken = default) =>
        _inner.LeaseGrantAsync(ttlSeconds, cancellationToken);

    public async Task<long> LeaseKeepAliveAsync(long leaseId, CancellationToken cancellationToken = default)
    {
        if (KeepAliveDelay > TimeSpan.Zero)
            await Task.Delay(KeepAliveDelay, cancellationToken);
        return await _inner.LeaseKeepAliveAsync(leaseId, cancellationToken);
    }

    public Task<LeaseTimeToLive?> LeaseTimeToLiveAsync(long leaseId, CancellationToken cancellationToken = default) =>
        _inner.LeaseTimeToLiveAsync(leaseId, cancellationToken);

    public Task LeaseRevokeAsync(long leaseId, CancellationToken cancellationToken = default) =>
        _inner.LeaseRevokeAsync(leaseId, cancellationToken);

    /// <summary>When set, a watch throws it instead of delivering its next event (a bug in a watcher's loop, say).</summary>
    public Exception? WatchFailure { get; set; }

    public async IAsyncEnumerable<WatchEvent> WatchAsync(string key, bool prefix, long startRevision, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var change in _inner.WatchAsync(key, prefix, startRevision, cancellationToken).ConfigureAwait(false))
        {
            if (WatchFailure is { } failure)
                throw failure;
            yield return change;
        }
    }

    public void Dispose() => _inner.Dispose();
}
