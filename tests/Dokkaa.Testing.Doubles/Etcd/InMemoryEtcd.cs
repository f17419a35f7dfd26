using System.Runtime.CompilerServices;
using Dokkaa.Core.Etcd;

namespace Dokkaa.Testing.Etcd;

/// <summary>
/// An etcd in a dictionary, with etcd's semantics: one store revision bumped per write (a transaction or
/// a lease expiry is one revision), create/mod revision and version per key, leases that expire on an
/// injectable clock and take their keys with them, watches from any retained revision, transactions,
/// compaction, and etcd's error messages. For unit tests of the layers above and the scale simulation:
/// thread-safe (one lock, as etcd applies writes one at a time), allocation-light, with an optional
/// latency and counters of the calls served.
/// </summary>
public sealed class InMemoryEtcd : IEtcdClient
{
    private readonly object _gate = new();
    private readonly InMemoryEtcdOptions _options;
    private readonly TimeProvider _time;
    private readonly InMemoryLeases _leases = new();
    private readonly InMemoryKeyspace _keyspace;
    private readonly InMemoryWatchers _watchers = new();
    private readonly ITimer _expiryTimer;
    private readonly long[] _counts = new long[8];
    private long _timerDeadline = long.MaxValue;
    private bool _disposed;

    public InMemoryEtcd()
        : this(new InMemoryEtcdOptions())
    {
    }

    public InMemoryEtcd(TimeProvider timeProvider)
        : this(new InMemoryEtcdOptions { TimeProvider = timeProvider })
    {
    }

    public InMemoryEtcd(InMemoryEtcdOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _time = options.TimeProvider;
        _keyspace = new InMemoryKeyspace(_leases);
        // Leases must expire even when nobody calls: watchers are waiting for those deletes.
        _expiryTimer = _time.CreateTimer(_ => OnExpiryTimer(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    private enum Op { Range, Put, Delete, Txn, LeaseGrant, LeaseKeepAlive, LeaseRevoke, Watch }

    /// <summary>The current store revision (1 when empty, as in etcd).</summary>
    public long Revision
    {
        get { lock (_gate) return _keyspace.Revision; }
    }

    /// <summary>The revision history was last compacted at (0: never).</summary>
    public long CompactRevision
    {
        get { lock (_gate) return _keyspace.CompactRevision; }
    }

    public int KeyCount
    {
        get { lock (_gate) return _keyspace.KeyCount; }
    }

    public int LeaseCount
    {
        get { lock (_gate) return _leases.Count; }
    }

    public int WatchCount
    {
        get { lock (_gate) return _watchers.Count; }
    }

    /// <summary>Calls served so far, all kinds together.</summary>
    public long OperationCount => Counters.Total;

    public InMemoryEtcdCounters Counters => new(
        Read(Op.Range), Read(Op.Put), Read(Op.Delete), Read(Op.Txn),
        Read(Op.LeaseGrant), Read(Op.LeaseKeepAlive), Read(Op.LeaseRevoke), Read(Op.Watch));

    public void ResetCounters()
    {
        for (var i = 0; i < _counts.Length; i++)
            Interlocked.Exchange(ref _counts[i], 0);
    }

    public async Task<RangeResult> RangeAsync(string key, bool prefix = false, long revision = 0, CancellationToken cancellationToken = default)
    {
        await EnterAsync(Op.Range, cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            BeginCall();
            return new RangeResult(_keyspace.Revision, _keyspace.RangeAt(key, prefix, revision));
        }
    }

    public async Task<long> PutAsync(string key, string value, long leaseId = 0, CancellationToken cancellationToken = default)
    {
        ValidateKey(key);
        await EnterAsync(Op.Put, cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            BeginCall();
            RequireLease(leaseId);
            _keyspace.BeginWrite();
            _keyspace.Put(key, value, leaseId);
            return CommitWrite();
        }
    }

    public async Task<long> DeleteAsync(string key, bool prefix = false, CancellationToken cancellationToken = default)
    {
        await EnterAsync(Op.Delete, cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            BeginCall();
            _keyspace.BeginWrite();
            var deleted = _keyspace.Delete(key, prefix);
            CommitWrite();
            return deleted;
        }
    }

    public async Task<TxnResult> TxnAsync(TxnRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        InMemoryTxn.Validate(request);
        await EnterAsync(Op.Txn, cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            BeginCall();
            var succeeded = request.Compares.All(compare => InMemoryTxn.Holds(compare, _keyspace.Get(compare.Key)));
            var ops = succeeded ? request.Success : request.Failure ?? [];
            // etcd checks every lease of the branch before it applies anything: all or nothing.
            foreach (var op in ops)
            {
                if (op is TxnOp.Put put)
                    RequireLease(put.LeaseId);
            }

            _keyspace.BeginWrite();
            var reads = new List<List<KeyValue>>();
            foreach (var op in ops)
            {
                switch (op)
                {
                    case TxnOp.Put put: _keyspace.Put(put.Key, put.Value, put.LeaseId); break;
                    case TxnOp.Delete delete: _keyspace.Delete(delete.Key, delete.Prefix); break;
                    // Reads inside a transaction see its earlier writes, as in etcd.
                    case TxnOp.Range range: reads.Add(_keyspace.Range(range.Key, range.Prefix)); break;
                }
            }

            var revision = CommitWrite();
            return new TxnResult(succeeded, revision, reads.Select(kvs => new RangeResult(revision, kvs)).ToList());
        }
    }

    public async Task<Lease> LeaseGrantAsync(long ttlSeconds, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ttlSeconds, 1);
        await EnterAsync(Op.LeaseGrant, cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            BeginCall();
            var id = _leases.Grant(ttlSeconds, Now);
            ScheduleExpiry();
            return new Lease(id, ttlSeconds);
        }
    }

    public async Task<long> LeaseKeepAliveAsync(long leaseId, CancellationToken cancellationToken = default)
    {
        await EnterAsync(Op.LeaseKeepAlive, cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            BeginCall();
            return _leases.Renew(leaseId, Now);
        }
    }

    public async Task<LeaseTimeToLive?> LeaseTimeToLiveAsync(long leaseId, CancellationToken cancellationToken = default)
    {
        // Counted as a read: it changes nothing.
        await EnterAsync(Op.Range, cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            BeginCall();
            return _leases.TimeToLive(leaseId, Now);
        }
    }

    public async Task LeaseRevokeAsync(long leaseId, CancellationToken cancellationToken = default)
    {
        await EnterAsync(Op.LeaseRevoke, cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            BeginCall();
            Revoke(leaseId);
        }
    }

    public async IAsyncEnumerable<WatchEvent> WatchAsync(string key, bool prefix, long startRevision, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await EnterAsync(Op.Watch, cancellationToken).ConfigureAwait(false);
        InMemoryWatchers.Watcher watcher;
        lock (_gate)
        {
            BeginCall();
            if (startRevision > 0 && startRevision < _keyspace.CompactRevision)
                throw new EtcdCompactedException(startRevision, _keyspace.CompactRevision);
            // History and registration under one lock: no write can slip between the past and the live feed.
            watcher = _watchers.Add(key, prefix);
            foreach (var revision in _keyspace.ChangesSince(startRevision > 0 ? startRevision : _keyspace.Revision + 1, key, prefix).GroupBy(c => c.Kv.ModRevision))
                watcher.Channel.Writer.TryWrite(revision.ToList());
        }

        try
        {
            await foreach (var batch in watcher.Channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                foreach (var change in batch)
                    yield return change;
            }
        }
        finally
        {
            lock (_gate)
                _watchers.Remove(watcher);
        }
    }

    /// <summary>
    /// Forgets history before <paramref name="revision"/>: reads at and watches from older revisions then
    /// fail as they do in etcd (watches with <see cref="EtcdCompactedException"/>).
    /// </summary>
    public void Compact(long revision)
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            _keyspace.Compact(revision);
        }
    }

    /// <summary>Expires every lease whose deadline has passed on the clock now. The timer does this by itself; tests may call it to be explicit.</summary>
    public void ExpireLeases()
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            ExpireDueLeases();
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
                return;
            _disposed = true;
            _watchers.CompleteAll(new ObjectDisposedException(nameof(InMemoryEtcd)));
        }

        _expiryTimer.Dispose();
    }

    private long Now => _time.GetUtcNow().UtcTicks;

    private long Read(Op op) => Interlocked.Read(ref _counts[(int)op]);

    private async ValueTask EnterAsync(Op op, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Interlocked.Increment(ref _counts[(int)op]);
        var latency = _options.Latency?.Invoke() ?? TimeSpan.Zero;
        if (latency > TimeSpan.Zero)
            await Task.Delay(latency, _time, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Every call first reaps expired leases, so that no call sees a key whose lease is past its deadline.</summary>
    private void BeginCall()
    {
        ThrowIfDisposed();
        ExpireDueLeases();
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    private void RequireLease(long leaseId)
    {
        if (leaseId != 0 && !_leases.Exists(leaseId))
            throw new EtcdException("etcdserver: requested lease not found", 5);
    }

    private long CommitWrite()
    {
        _watchers.Publish(_keyspace.Commit());
        var limit = _options.HistoryLimit;
        // Compact in large steps, so that the history list is trimmed rarely and the cost stays amortised.
        if (limit > 0 && _keyspace.Revision - _keyspace.CompactRevision > 2 * limit)
            _keyspace.Compact(_keyspace.Revision - limit);
        return _keyspace.Revision;
    }

    private void Revoke(long leaseId)
    {
        var keys = _leases.Remove(leaseId);
        if (keys is null)
            return;
        _keyspace.BeginWrite();
        _keyspace.DeleteKeys(keys);
        CommitWrite();
    }

    private void ExpireDueLeases()
    {
        foreach (var id in _leases.Due(Now))
            Revoke(id);
        ScheduleExpiry();
    }

    private void ScheduleExpiry()
    {
        var next = _leases.NextDeadline ?? long.MaxValue;
        if (next == _timerDeadline)
            return;
        _timerDeadline = next;
        if (next == long.MaxValue)
        {
            _expiryTimer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            return;
        }

        // At least a millisecond: a system timer that fires a hair early must not spin.
        var due = TimeSpan.FromTicks(Math.Max(next - Now, TimeSpan.TicksPerMillisecond));
        _expiryTimer.Change(due, Timeout.InfiniteTimeSpan);
    }

    private void OnExpiryTimer()
    {
        lock (_gate)
        {
            if (_disposed)
                return;
            _timerDeadline = long.MaxValue;
            ExpireDueLeases();
        }
    }

    private static void ValidateKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length == 0)
            throw new EtcdException("etcdserver: key is not provided", 3);
    }
}
