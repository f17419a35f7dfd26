using Dokkaa.Testing.Time;
using Xunit;

namespace Dokkaa.Core.Tests.Etcd;

/// <summary>The count of armed timers that stepping tests wait on: it must follow arming, firing, re-arming and disposal exactly.</summary>
public sealed class TimerCountingTimeProviderTests
{
    [Fact]
    public void A_one_shot_timer_counts_until_it_fires_or_is_disposed_and_a_periodic_one_until_disposed()
    {
        var clock = new TimerCountingTimeProvider();
        var fired = 0;
        using var once = clock.CreateTimer(_ => fired++, null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);
        var periodic = clock.CreateTimer(_ => fired++, null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        using var idle = clock.CreateTimer(_ => fired++, null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        Assert.Equal(2, clock.ArmedTimers);

        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(2, fired);
        Assert.Equal(1, clock.ArmedTimers);

        idle.Change(TimeSpan.FromSeconds(5), Timeout.InfiniteTimeSpan);
        Assert.Equal(2, clock.ArmedTimers);
        periodic.Dispose();
        Assert.Equal(1, clock.ArmedTimers);
        idle.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        Assert.Equal(0, clock.ArmedTimers);
    }

    [Fact]
    public void A_timer_that_re_arms_itself_from_its_callback_counts_once()
    {
        var clock = new TimerCountingTimeProvider();
        ITimer? timer = null;
        timer = clock.CreateTimer(_ => timer!.Change(TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan), null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);

        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, clock.ArmedTimers);
        timer.Dispose();
        Assert.Equal(0, clock.ArmedTimers);
    }

    [Fact]
    public async Task A_pending_Task_Delay_counts_as_armed_until_the_clock_passes_it()
    {
        var clock = new TimerCountingTimeProvider();
        var delay = Task.Delay(TimeSpan.FromMinutes(5), clock);
        Assert.Equal(1, clock.ArmedTimers);

        clock.Advance(TimeSpan.FromMinutes(4));
        Assert.False(delay.IsCompleted);
        clock.Advance(TimeSpan.FromMinutes(1));

        await delay.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, clock.ArmedTimers);
    }
}
