using Dokkaa.Core.Cluster;
using Dokkaa.Core.Etcd;
using Dokkaa.Core.Threading;

namespace Dokkaa.WebConsole.Live;

/// <summary>
/// The console's live data: a <see cref="ClusterView"/> (its own, following the etcd watch, or one its host
/// process already follows), the hosts' heartbeats while anyone watches, and a wake-up for every open event
/// stream when either changes.
/// </summary>
internal sealed class LiveCluster : IAsyncDisposable
{
    private readonly object _gate = new();
    private readonly List<AsyncSignal> _subscribers = new();
    private readonly AsyncSignal _watchersArrived = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly LeaseHeartbeats _heartbeats;
    private readonly TimeProvider _clock;
    private readonly TimeSpan _heartbeatInterval;
    private readonly List<Task> _loops = new();
    private readonly Action<ClusterState> _onChanged;
    private (ClusterState State, ClusterSnapshot Snapshot)? _cached;

    public LiveCluster(ClusterView view, IEtcdClient etcd, TimeSpan heartbeatInterval, TimeProvider? clock = null)
    {
        View = view;
        _clock = clock ?? TimeProvider.System;
        _heartbeatInterval = heartbeatInterval;
        _heartbeats = new LeaseHeartbeats(etcd, _clock);
        _onChanged = _ => WakeAll();
        View.Changed += _onChanged;
    }

    public ClusterView View { get; }

    public IReadOnlyDictionary<string, HostHeartbeat> Heartbeats => _heartbeats.Current;

    public DateTimeOffset Now => _clock.GetUtcNow();

    /// <summary>Starts following the watch (only when this process does not follow the view already) and the heartbeat probe.</summary>
    public void Start(bool followView)
    {
        if (followView)
            _loops.Add(Task.Run(() => FollowAsync(_stop.Token)));
        _loops.Add(Task.Run(() => ProbeHeartbeatsAsync(_stop.Token)));
    }

    /// <summary>A wake-up that is set on every change until disposed.</summary>
    public Subscription Subscribe()
    {
        var signal = new AsyncSignal();
        lock (_gate)
            _subscribers.Add(signal);
        _watchersArrived.Set();
        return new Subscription(this, signal);
    }

    /// <summary>The snapshot of <paramref name="state"/>, computed once however many streams send it.</summary>
    public ClusterSnapshot SnapshotOf(ClusterState state)
    {
        lock (_gate)
        {
            if (_cached is { } cached && ReferenceEquals(cached.State, state))
                return cached.Snapshot;
        }

        var snapshot = Projection.Snapshot(state, Heartbeats, Now);
        lock (_gate)
            _cached = (state, snapshot);
        return snapshot;
    }

    /// <summary>Waits (bounded) until the view has seen a revision this process just wrote, so a read right after shows it.</summary>
    public async Task CatchUpAsync(long revision, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            await View.WaitForRevisionAsync(revision, limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The write happened; the view is just slow (etcd trouble). The answer says what was written.
        }
    }

    private void WakeAll()
    {
        lock (_gate)
        {
            foreach (var subscriber in _subscribers)
                subscriber.Set();
        }
    }

    private int SubscriberCount
    {
        get
        {
            lock (_gate)
                return _subscribers.Count;
        }
    }

    private async Task FollowAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await View.FollowAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (EtcdException)
            {
                // FollowAsync retries a broken watch itself; a failed reload after compaction lands here.
                await Task.Delay(TimeSpan.FromSeconds(1), _clock, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task ProbeHeartbeatsAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                if (SubscriberCount == 0)
                {
                    await _watchersArrived.WaitAsync(Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                if (await _heartbeats.ProbeAsync(View.Current, cancellationToken).ConfigureAwait(false))
                    WakeAll();
                await Task.Delay(_heartbeatInterval, _clock, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        // The view may be the host process's own and outlive this console.
        View.Changed -= _onChanged;
        await _stop.CancelAsync().ConfigureAwait(false);
        foreach (var loop in _loops)
        {
            try
            {
                await loop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }

        _stop.Dispose();
    }

    /// <summary>One open event stream's wake-up.</summary>
    public sealed class Subscription : IDisposable
    {
        private readonly LiveCluster _owner;

        internal Subscription(LiveCluster owner, AsyncSignal signal)
        {
            _owner = owner;
            Signal = signal;
        }

        public AsyncSignal Signal { get; }

        public void Dispose()
        {
            lock (_owner._gate)
                _owner._subscribers.Remove(Signal);
        }
    }
}
