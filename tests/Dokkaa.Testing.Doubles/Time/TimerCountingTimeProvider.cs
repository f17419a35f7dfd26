using Microsoft.Extensions.Time.Testing;

namespace Dokkaa.Testing.Time;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that also tells how many of its timers are armed. A test that steps the clock
/// needs to know when the code under test is parked on the clock again (armed a timer or a Task.Delay) before it
/// takes the next step; FakeTimeProvider keeps its waiters to itself, so the count is kept here.
/// </summary>
public class TimerCountingTimeProvider : FakeTimeProvider
{
    private int _armed;

    public TimerCountingTimeProvider()
    {
    }

    public TimerCountingTimeProvider(DateTimeOffset start)
        : base(start)
    {
    }

    /// <summary>Timers that will fire when the clock passes their deadline: created or changed with a due time, not yet fired (one-shot) or disposed.</summary>
    public int ArmedTimers => Volatile.Read(ref _armed);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = new CountedTimer(this, callback);
        timer.Inner = base.CreateTimer(timer.Fire, state, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        timer.Change(dueTime, period);
        return timer;
    }

    private sealed class CountedTimer(TimerCountingTimeProvider owner, TimerCallback callback) : ITimer
    {
        private readonly object _gate = new();
        private bool _armed;
        private bool _periodic;

        public ITimer Inner { get; set; } = null!;

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (_gate)
            {
                SetArmed(dueTime != Timeout.InfiniteTimeSpan);
                _periodic = period != Timeout.InfiniteTimeSpan && period > TimeSpan.Zero;
                return Inner.Change(dueTime, period);
            }
        }

        /// <summary>A one-shot timer is disarmed before its callback runs, so that a callback which re-arms it counts once.</summary>
        public void Fire(object? state)
        {
            lock (_gate)
            {
                if (!_periodic)
                    SetArmed(false);
            }

            callback(state);
        }

        public void Dispose()
        {
            lock (_gate)
                SetArmed(false);
            Inner.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }

        private void SetArmed(bool armed)
        {
            if (armed == _armed)
                return;
            _armed = armed;
            Interlocked.Add(ref owner._armed, armed ? 1 : -1);
        }
    }
}
