using Dokkaa.Core.Etcd;

namespace Dokkaa.Core.Cluster;

/// <summary>
/// A live, in-memory copy of everything Dokkaa keeps in etcd. It reads the whole state once at one
/// revision, then follows a watch from the next revision, so no change between the read and the watch is
/// lost (the seeds had no initial sync at all). When etcd has compacted the revision it needs, it reads
/// everything again. Readers take <see cref="Current"/>, an immutable snapshot.
/// </summary>
public sealed class ClusterView
{
    private readonly IEtcdClient _etcd;
    private readonly object _gate = new();
    private readonly List<TaskCompletionSource> _revisionWaiters = new();
    private ClusterState _state = ClusterState.Empty;

    public ClusterView(IEtcdClient etcd) => _etcd = etcd;

    /// <summary>The latest snapshot.</summary>
    public ClusterState Current => Volatile.Read(ref _state);

    /// <summary>Raised after every change, on the watch's thread. Handlers must be quick (set a signal).</summary>
    public event Action<ClusterState>? Changed;

    /// <summary>Reads the full state at one revision. Call before <see cref="FollowAsync"/> (which also calls it when needed).</summary>
    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        // Both prefixes at the same revision, so the snapshot is consistent.
        var apps = await _etcd.RangeAsync(KeyLayout.AppsPrefix, prefix: true, cancellationToken: cancellationToken).ConfigureAwait(false);
        var runtime = await _etcd.RangeAsync(KeyLayout.RuntimePrefix, prefix: true, revision: apps.Revision, cancellationToken: cancellationToken).ConfigureAwait(false);

        var previous = Current;
        var state = ClusterState.Empty with { Revision = apps.Revision };
        foreach (var kv in apps.Kvs.Concat(runtime.Kvs))
            state = state.Apply(new WatchEvent(WatchEventType.Put, kv));

        // Keep the memory of last valid manifests across reloads.
        foreach (var (id, entry) in state.Manifests)
        {
            if (!entry.IsValid && entry.LastValid is null && previous.Manifests.TryGetValue(id, out var old) && old.Effective is not null)
                state = state with { Manifests = state.Manifests.SetItem(id, entry with { LastValid = old.Effective }) };
        }

        Publish(state with { Revision = apps.Revision });
    }

    /// <summary>Follows the watch until cancelled, reloading after a compaction. Loads first if nothing was loaded.</summary>
    public async Task FollowAsync(CancellationToken cancellationToken)
    {
        if (Current.Revision == 0)
            await LoadAsync(cancellationToken).ConfigureAwait(false);

        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                // One watch over "/" covers /apps/ and /dokkaa/ in a single revision order.
                await ApplyWatchAsync(_etcd.WatchAsync("/", prefix: true, Current.Revision + 1, cancellationToken)).ConfigureAwait(false);
            }
            catch (EtcdCompactedException)
            {
                await LoadAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (EtcdException) when (!cancellationToken.IsCancellationRequested)
            {
                // The client already retried every endpoint; wait a little and start over from our revision.
                await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Applies the watch and publishes whole revisions only: one revision can carry many events (a lease expiry
    /// deletes a host key and all its claims at once), and a state published after the first of them would tell
    /// <see cref="WaitForRevisionAsync"/> and the reconciler that the revision is there while most of it is not.
    /// A revision is published when the next event belongs to another one, or when no further event is
    /// buffered (the watch delivers a revision's events in one response). Events applied but not yet published
    /// when the watch breaks are delivered again: the watch resumes after the last published revision.
    /// </summary>
    private async Task ApplyWatchAsync(IAsyncEnumerable<WatchEvent> watch)
    {
        var state = Current;
        var pending = false;
        await using var events = watch.GetAsyncEnumerator();
        while (true)
        {
            var next = events.MoveNextAsync();
            if (pending && !next.IsCompleted)
            {
                Publish(state);
                pending = false;
            }

            if (!await next.ConfigureAwait(false))
                break;
            var change = events.Current;
            if (pending && change.Kv.ModRevision != state.Revision)
                Publish(state);
            state = state.Apply(change);
            pending = true;
        }

        if (pending)
            Publish(state);
    }

    /// <summary>Completes once the view has seen <paramref name="revision"/> (e.g. after this process wrote something).</summary>
    public async Task WaitForRevisionAsync(long revision, CancellationToken cancellationToken)
    {
        TaskCompletionSource waiter;
        lock (_gate)
        {
            if (Current.Revision >= revision)
                return;
            waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _revisionWaiters.Add(waiter);
        }

        while (Current.Revision < revision)
        {
            await waiter.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            lock (_gate)
            {
                if (Current.Revision >= revision)
                    return;
                waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _revisionWaiters.Add(waiter);
            }
        }
    }

    private void Publish(ClusterState state)
    {
        List<TaskCompletionSource> waiters;
        lock (_gate)
        {
            Volatile.Write(ref _state, state);
            waiters = new List<TaskCompletionSource>(_revisionWaiters);
            _revisionWaiters.Clear();
        }

        foreach (var waiter in waiters)
            waiter.TrySetResult();
        Changed?.Invoke(state);
    }
}
