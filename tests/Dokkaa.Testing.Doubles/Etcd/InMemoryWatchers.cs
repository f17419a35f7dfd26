using System.Threading.Channels;

using Dokkaa.Core.Etcd;

namespace Dokkaa.Testing.Etcd;

/// <summary>
/// The open watches of <see cref="InMemoryEtcd"/>. Each has an unbounded queue that the writer fills under
/// the owner's lock (so every watcher sees every revision in order) and the watcher drains at its own pace.
/// The queue holds one batch per revision, as etcd sends a revision's events in one watch response: a
/// reader never finds a revision half delivered.
/// Not thread-safe by itself: the owner calls it under its lock.
/// </summary>
internal sealed class InMemoryWatchers
{
    private readonly HashSet<Watcher> _watchers = [];

    public int Count => _watchers.Count;

    public Watcher Add(string key, bool prefix)
    {
        // Continuations run on the thread pool, never inline under the store's lock.
        var channel = Channel.CreateUnbounded<IReadOnlyList<WatchEvent>>(new UnboundedChannelOptions { SingleReader = true, AllowSynchronousContinuations = false });
        var watcher = new Watcher(key, prefix, channel);
        _watchers.Add(watcher);
        return watcher;
    }

    public void Remove(Watcher watcher)
    {
        if (_watchers.Remove(watcher))
            watcher.Channel.Writer.TryComplete();
    }

    public void Publish(List<WatchEvent> events)
    {
        if (events.Count == 0 || _watchers.Count == 0)
            return;
        foreach (var watcher in _watchers)
        {
            var matching = events.FindAll(change => watcher.Matches(change.Kv.Key));
            if (matching.Count > 0)
                watcher.Channel.Writer.TryWrite(matching);
        }
    }

    /// <summary>Ends every watch with <paramref name="error"/> (the store was disposed).</summary>
    public void CompleteAll(Exception error)
    {
        foreach (var watcher in _watchers)
            watcher.Channel.Writer.TryComplete(error);
        _watchers.Clear();
    }

    internal sealed class Watcher(string key, bool prefix, Channel<IReadOnlyList<WatchEvent>> channel)
    {
        public Channel<IReadOnlyList<WatchEvent>> Channel { get; } = channel;

        public bool Matches(string candidate) =>
            prefix ? candidate.StartsWith(key, StringComparison.Ordinal) : candidate == key;
    }
}
