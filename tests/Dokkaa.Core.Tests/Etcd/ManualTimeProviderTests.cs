using Dokkaa.Core.Etcd;
using Xunit;

namespace Dokkaa.Core.Tests.Etcd;

public sealed class ManualTimeProviderTests
{
    [Fact]
    public void Timers_fire_in_deadline_order_and_see_their_own_deadline()
    {
        var clock = new ManualTimeProvider();
        var start = clock.GetUtcNow();
        var fired = new List<(string, TimeSpan)>();
        using var late = clock.CreateTimer(_ => fired.Add(("late", clock.GetUtcNow() - start)), null, TimeSpan.FromSeconds(3), Timeout.InfiniteTimeSpan);
        using var early = clock.CreateTimer(_ => fired.Add(("early", clock.GetUtcNow() - start)), null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);
        using var periodic = clock.CreateTimer(_ => fired.Add(("tick", clock.GetUtcNow() - start)), null, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2));

        clock.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal(
            [("early", TimeSpan.FromSeconds(1)), ("tick", TimeSpan.FromSeconds(2)), ("late", TimeSpan.FromSeconds(3)), ("tick", TimeSpan.FromSeconds(4))],
            fired);
        Assert.Equal(TimeSpan.FromSeconds(5), clock.GetUtcNow() - start);
    }

    [Fact]
    public void A_changed_or_disposed_timer_does_not_fire_at_its_old_time()
    {
        var clock = new ManualTimeProvider();
        var count = 0;
        var moved = clock.CreateTimer(_ => count++, null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);
        var gone = clock.CreateTimer(_ => count += 100, null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);
        moved.Change(TimeSpan.FromSeconds(10), Timeout.InfiniteTimeSpan);
        gone.Dispose();

        clock.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(0, count);
        clock.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(1, count);
    }

    [Fact]
    public async Task Task_Delay_on_the_manual_clock_completes_when_the_clock_passes_it()
    {
        var clock = new ManualTimeProvider();
        var delay = Task.Delay(TimeSpan.FromMinutes(5), clock);

        clock.Advance(TimeSpan.FromMinutes(4));
        Assert.False(delay.IsCompleted);
        clock.Advance(TimeSpan.FromMinutes(1));

        await delay.WaitAsync(TimeSpan.FromSeconds(10));
    }
}
