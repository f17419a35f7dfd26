namespace Dokkaa.Core.Etcd;

/// <summary>
/// A clock that moves only when told to. Timers (and so Task.Delay with this provider, and the lease
/// deadlines of <see cref="InMemoryEtcd"/>) fire during <see cref="Advance"/>, in deadline order, on the
/// advancing thread. For unit tests and the scale simulation, where real time would be slow and flaky.
/// It lives beside <see cref="InMemoryEtcd"/> because that is its first user; nothing in it is etcd-specific.
/// </summary>
public sealed class ManualTimeProvider : TimeProvider
{
    private readonly object _gate = new();
    // Ordered by deadline (then creation), so a simulation with thousands of timers advances in O(log n) per firing.
    private readonly SortedSet<ManualTimer> _timers = new(Comparer<ManualTimer>.Create(
        (a, b) => a.Deadline != b.Deadline ? a.Deadline.CompareTo(b.Deadline) : a.Id.CompareTo(b.Id)));
    private DateTimeOffset _now;
    private long _lastTimerId;

    public ManualTimeProvider()
        : this(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero))
    {
    }

    public ManualTimeProvider(DateTimeOffset start) => _now = start;

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
            return _now;
    }

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    /// <summary>Timers waiting to fire: lets a test that steps the clock wait until the code under test is waiting again.</summary>
    public int ArmedTimers
    {
        get
        {
            lock (_gate)
                return _timers.Count;
        }
    }

    /// <summary>Timestamps are ticks of the manual clock, so Stopwatch-style measurements follow it too.</summary>
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => GetUtcNow().UtcTicks;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = new ManualTimer(this, Interlocked.Increment(ref _lastTimerId), callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>
    /// Moves the clock forward by <paramref name="by"/>, firing each timer that falls due on the way at its
    /// own deadline (the clock reads that deadline while the callback runs). Callbacks run outside the
    /// clock's lock, so they may read the clock and create or change timers.
    /// </summary>
    public void Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        DateTimeOffset target;
        lock (_gate)
            target = _now + by;

        while (true)
        {
            ManualTimer? next = null;
            lock (_gate)
            {
                if (_timers.Count > 0 && _timers.Min!.Deadline <= target)
                    next = _timers.Min;

                if (next is null)
                {
                    _now = target;
                    return;
                }

                if (next.Deadline > _now)
                    _now = next.Deadline;
                next.Reschedule();
            }

            next.Fire();
        }
    }

    /// <summary>Sets the clock forward to <paramref name="time"/> (never backward), firing timers on the way.</summary>
    public void AdvanceTo(DateTimeOffset time)
    {
        var by = time - GetUtcNow();
        if (by > TimeSpan.Zero)
            Advance(by);
    }

    private sealed class ManualTimer(ManualTimeProvider owner, long id, TimerCallback callback, object? state) : ITimer
    {
        private TimeSpan _period = Timeout.InfiniteTimeSpan;

        public long Id { get; } = id;

        public DateTimeOffset Deadline { get; private set; } = DateTimeOffset.MaxValue;

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._gate)
            {
                owner._timers.Remove(this);
                _period = period;
                if (dueTime == Timeout.InfiniteTimeSpan)
                {
                    Deadline = DateTimeOffset.MaxValue;
                    return true;
                }

                Deadline = owner._now + (dueTime < TimeSpan.Zero ? TimeSpan.Zero : dueTime);
                owner._timers.Add(this);
                return true;
            }
        }

        /// <summary>Called under the owner's lock just before firing: a periodic timer comes round again, a one-shot one is done.</summary>
        public void Reschedule()
        {
            owner._timers.Remove(this);
            if (_period == Timeout.InfiniteTimeSpan || _period <= TimeSpan.Zero)
            {
                Deadline = DateTimeOffset.MaxValue;
                return;
            }

            Deadline += _period;
            owner._timers.Add(this);
        }

        public void Fire() => callback(state);

        public void Dispose()
        {
            lock (owner._gate)
            {
                owner._timers.Remove(this);
                Deadline = DateTimeOffset.MaxValue;
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
