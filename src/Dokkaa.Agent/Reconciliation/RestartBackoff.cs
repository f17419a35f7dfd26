using System.Collections.Concurrent;
using Dokkaa.Core.Cluster;
using Dokkaa.Core.Threading;

namespace Dokkaa.Agent.Reconciliation;

/// <summary>
/// Exponential backoff per instance for containers that cannot be created or keep exiting, so a missing
/// image or a command that exits at once becomes an error in the status instead of a crash loop.
/// A container that stays up for <see cref="StableAfter"/> is forgiven.
/// </summary>
public sealed class RestartBackoff
{
    public static readonly TimeSpan First = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan Max = TimeSpan.FromSeconds(60);
    public static readonly TimeSpan StableAfter = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<InstanceId, Entry> _entries = new();

    public sealed record Entry(int Failures, DateTimeOffset NextAttempt, string Error)
    {
        /// <summary>When the last failure was recorded: a run that started later and lasted is a fresh start.</summary>
        public DateTimeOffset RecordedAt { get; init; }
    }

    public Entry? Get(InstanceId id) => _entries.TryGetValue(id, out var entry) ? entry : null;

    /// <summary>True when the instance may be (re)started now.</summary>
    public bool MayAttempt(InstanceId id, DateTimeOffset now) => !_entries.TryGetValue(id, out var entry) || entry.NextAttempt <= now;

    /// <summary>Records a failure and returns the entry with the next attempt time.</summary>
    public Entry Fail(InstanceId id, string error, DateTimeOffset now)
    {
        return _entries.AddOrUpdate(
            id,
            _ => new Entry(1, now + First, error) { RecordedAt = now },
            (_, old) =>
            {
                var delay = RetryDelay.After(First, Max, old.Failures);
                return new Entry(old.Failures + 1, now + delay, error) { RecordedAt = now };
            });
    }

    public void Forgive(InstanceId id) => _entries.TryRemove(id, out _);

    /// <summary>Forgets the failures only if a run that started after the last one lasted <see cref="StableAfter"/>.</summary>
    public void ForgiveIfStable(InstanceId id, DateTimeOffset? startedAt, DateTimeOffset? endedAt)
    {
        if (_entries.TryGetValue(id, out var entry) && ForgivenBy(entry, startedAt, endedAt))
            _entries.TryRemove(id, out _);
    }

    /// <summary>Whether a run from <paramref name="startedAt"/> to <paramref name="endedAt"/> wipes out <paramref name="entry"/>: it started after the last failure and lasted <see cref="StableAfter"/>.</summary>
    public static bool ForgivenBy(Entry entry, DateTimeOffset? startedAt, DateTimeOffset? endedAt) =>
        startedAt is { } start && endedAt is { } end && end - start >= StableAfter && entry.RecordedAt <= start;

    /// <summary>The earliest pending retry, for the reconciler's next wake-up.</summary>
    public DateTimeOffset? NextAttempt(DateTimeOffset now) =>
        _entries.Values.Where(e => e.NextAttempt > now).Select(e => (DateTimeOffset?)e.NextAttempt).DefaultIfEmpty(null).Min();
}
