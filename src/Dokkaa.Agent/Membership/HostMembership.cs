using Dokkaa.Core.Cluster;
using Dokkaa.Core.Etcd;
using Dokkaa.Core.Threading;
using Microsoft.Extensions.Logging;

namespace Dokkaa.Agent.Membership;

/// <summary>
/// This host's place in the cluster: a lease (its liveness) and <c>/dokkaa/hosts/&lt;host&gt;</c> attached
/// to it. The lease is renewed every quarter of its TTL; when etcd says it is gone (we were cut off for
/// longer than the TTL), a new one is granted and <see cref="LeaseChanged"/> tells the reconciler to
/// re-claim what this host still runs. Claims are attached to the same lease, so a dead host's claims vanish
/// with it and other hosts take over.
/// </summary>
public sealed class HostMembership
{
    private readonly IEtcdClient _etcd;
    private readonly Func<HostRecord> _describe;
    private readonly TimeSpan _ttl;
    private readonly ILogger _log;
    private readonly TimeProvider _clock;
    private long _leaseId;
    private long _lastRenewedTicks;
    private long _lastRenewedNs;

    public HostMembership(IEtcdClient etcd, string hostId, TimeSpan ttl, Func<HostRecord> describe, ILogger log, TimeProvider? clock = null)
    {
        _etcd = etcd;
        HostId = hostId;
        _ttl = ttl;
        _describe = describe;
        _log = log;
        _clock = clock ?? TimeProvider.System;
    }

    public string HostId { get; }

    /// <summary>The current lease, 0 before registration.</summary>
    public long LeaseId => Interlocked.Read(ref _leaseId);

    /// <summary>When the last keepalive that etcd confirmed was sent. An exclusive instance is stopped before this gets older than the TTL.</summary>
    public DateTimeOffset LastRenewed => new(Interlocked.Read(ref _lastRenewedTicks), TimeSpan.Zero);

    /// <summary>The same moment as <see cref="LastRenewed"/> on the monotonic clock (<see cref="MonotonicClock"/>), for the fence process.</summary>
    public long LastRenewedNs => Interlocked.Read(ref _lastRenewedNs);

    public TimeSpan Ttl => _ttl;

    /// <summary>Raised when a new lease replaced a lost one.</summary>
    public event Action? LeaseChanged;

    /// <summary>Raised after each confirmed renewal (and registration), once <see cref="LastRenewed"/> has moved on.</summary>
    public event Action? Renewed;

    /// <summary>Grants the lease and writes the host key. Retries until etcd answers or cancellation.</summary>
    public async Task RegisterAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                var ttlSeconds = Math.Max(1, (long)Math.Ceiling(_ttl.TotalSeconds));
                // The lease runs a TTL from when etcd granted it, which is after this moment.
                var sentAt = Now();
                var lease = await _etcd.LeaseGrantAsync(ttlSeconds, cancellationToken).ConfigureAwait(false);
                await _etcd.PutAsync(KeyLayout.Host(HostId), ClusterJson.Serialize(_describe()), lease.Id, cancellationToken).ConfigureAwait(false);
                Interlocked.Exchange(ref _leaseId, lease.Id);
                MarkRenewed(sentAt);
                _log.LogInformation("Host {Host} registered with lease {Lease:x} (ttl {Ttl}s)", HostId, lease.Id, lease.TtlSeconds);
                return;
            }
            catch (EtcdException e) when (!cancellationToken.IsCancellationRequested)
            {
                _log.LogWarning("Cannot register host {Host} yet: {Error}", HostId, e.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Keeps the lease alive until cancelled; re-registers under a new lease when the old one expired. A renewal is
    /// sent every quarter of the TTL, counted from when the previous one was sent (not from its answer), so a slow
    /// etcd delays the confirmation but not the rhythm: the last confirmed renewal is then at most a quarter TTL
    /// plus one round trip old, and the exclusive fence (at half the TTL) stays quiet while etcd answers within a
    /// quarter TTL. (Every third of the TTL counted from the answer left it one sixth: 333 ms at a 2 s TTL.)
    /// </summary>
    public async Task KeepAliveAsync(CancellationToken cancellationToken)
    {
        var interval = TimeSpan.FromTicks(Math.Max(TimeSpan.FromMilliseconds(200).Ticks, _ttl.Ticks / 4));
        while (!cancellationToken.IsCancellationRequested)
        {
            // The lease runs at least TTL from when this request was sent, whenever the answer arrives:
            // that send time, not the answer's, is what the exclusive fence may count on.
            var sentAt = Now();
            var wait = interval;
            try
            {
                var remaining = await _etcd.LeaseKeepAliveAsync(LeaseId, cancellationToken).ConfigureAwait(false);
                if (remaining > 0)
                {
                    MarkRenewed(sentAt);
                    wait = interval - (_clock.GetUtcNow() - sentAt.Wall);
                }
                else
                {
                    _log.LogWarning("Lease {Lease:x} of host {Host} expired; registering again", LeaseId, HostId);
                    await RegisterAsync(cancellationToken).ConfigureAwait(false);
                    LeaseChanged?.Invoke();
                }
            }
            catch (EtcdException e) when (!cancellationToken.IsCancellationRequested)
            {
                // Try again soon: the lease is still alive on etcd's side for a while.
                _log.LogWarning("Lease renewal failed: {Error}", e.Message);
                wait = TimeSpan.FromMilliseconds(Math.Min(500, interval.TotalMilliseconds));
            }

            if (wait > TimeSpan.Zero)
                await Task.Delay(wait, _clock, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Rewrites the host record (e.g. drain flag) under the current lease.</summary>
    public Task UpdateRecordAsync(CancellationToken cancellationToken) =>
        _etcd.PutAsync(KeyLayout.Host(HostId), ClusterJson.Serialize(_describe()), LeaseId, cancellationToken);

    private (DateTimeOffset Wall, long MonotonicNs) Now() => (_clock.GetUtcNow(), MonotonicClock.Nanoseconds(_clock));

    private void MarkRenewed((DateTimeOffset Wall, long MonotonicNs) at)
    {
        Interlocked.Exchange(ref _lastRenewedTicks, at.Wall.UtcTicks);
        Interlocked.Exchange(ref _lastRenewedNs, at.MonotonicNs);
        Renewed?.Invoke();
    }
}
