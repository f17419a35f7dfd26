using Dokkaa.Agent.Membership;
using Dokkaa.Core.Cluster;
using Dokkaa.Testing;
using Dokkaa.Testing.Etcd;
using Dokkaa.Testing.Time;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace Dokkaa.Agent.Tests.Units;

/// <summary>
/// The lease under a slow etcd, on a manual clock: every etcd call takes <c>latency</c> of simulated time, and the
/// clock moves in 10 ms steps, each taken only once the membership loop is waiting again (so the run is exact).
/// </summary>
public sealed class HostMembershipTests
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(10);

    [Theory]
    [InlineData(0)]
    [InlineData(200)]
    [InlineData(400)]
    public async Task An_etcd_that_answers_within_a_quarter_ttl_never_leaves_the_renewal_older_than_half_the_ttl(int latencyMs)
    {
        var clock = new TimerCountingTimeProvider();
        var latency = TimeSpan.Zero;
        using var etcd = new InMemoryEtcd(new InMemoryEtcdOptions { TimeProvider = clock, Latency = () => latency });
        var membership = new HostMembership(etcd, "h1", Ttl, () => new HostRecord { Address = "127.0.0.1", AgentVersion = "0.1.0" }, NullLogger.Instance, clock);
        using var stop = new CancellationTokenSource();

        // Registration without latency: it completes at once, so no step can run ahead of it.
        await membership.RegisterAsync(stop.Token);
        latency = TimeSpan.FromMilliseconds(latencyMs);

        // From here on the loop always waits on one timer of its own (a call's latency or the interval) beside the
        // store's one lease expiry timer: two armed timers mean it is parked, one that it is still working.
        var keepAlive = membership.KeepAliveAsync(stop.Token);
        var oldest = TimeSpan.Zero;
        var renewals = new HashSet<DateTimeOffset>();
        for (var elapsed = TimeSpan.Zero; elapsed < TimeSpan.FromSeconds(20); elapsed += Step)
        {
            await StepAsync(clock, () => keepAlive.IsCompleted || clock.ArmedTimers >= 2);
            var age = clock.GetUtcNow() - membership.LastRenewed;
            oldest = age > oldest ? age : oldest;
            renewals.Add(membership.LastRenewed);
        }

        Assert.False(keepAlive.IsCompleted, "the keepalive loop ended on its own");
        Assert.True(oldest <= Ttl / 2, $"with {latencyMs} ms per etcd call the last confirmed renewal got {oldest.TotalMilliseconds:0} ms old (the fence cuts off at {(Ttl / 2).TotalMilliseconds:0} ms)");
        // A renewal every quarter TTL from the last send: 20 s / 0.5 s = 40, less the ones still in flight.
        Assert.InRange(renewals.Count, 38, 42);
        Assert.Equal(1, etcd.Counters.LeaseGrants); // never lost, never re-registered

        await stop.CancelAsync();
        clock.Advance(Ttl);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => keepAlive);
    }

    /// <summary>Moves the clock one step, then waits (real time, with a deadline) until the loop is parked again.</summary>
    private static async Task StepAsync(TimerCountingTimeProvider clock, Func<bool> parked)
    {
        clock.Advance(Step);
        await Poll.UntilAsync(parked, $"the membership loop to wait on the clock again (at {clock.GetUtcNow():HH:mm:ss.fff})", TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(1));
    }
}
