using Dokkaa.Agent.Fencing;
using Xunit;

namespace Dokkaa.Agent.Tests.Units;

/// <summary>The fence process's verdict on the agent's lease record, on a clock given as plain nanoseconds.</summary>
public sealed class FenceRuleTests
{
    private const string Boot = "boot-1";
    private const long Second = 1_000_000_000;
    private const long RenewedAt = 500 * Second;

    private static FenceRecord Record(long ttlMs = 2000) => new()
    {
        HostId = "h1",
        LeaseId = 0x2a,
        TtlMs = ttlMs,
        RenewedAtNs = RenewedAt,
        BootId = Boot,
        Exclusive = new[] { "app/lock" },
        AgentPid = 1,
    };

    [Fact]
    public void Open_until_half_the_ttl_after_the_renewal_was_sent_then_closed()
    {
        var atRenewal = FenceRule.Decide(Record(), Boot, RenewedAt);
        Assert.True(atRenewal.IsOpen);
        Assert.Equal(TimeSpan.FromSeconds(1), atRenewal.OpenFor);

        var justBefore = FenceRule.Decide(Record(), Boot, RenewedAt + Second - 1_000_000);
        Assert.True(justBefore.IsOpen);
        Assert.Equal(TimeSpan.FromMilliseconds(1), justBefore.OpenFor);
        Assert.True(FenceRule.Decide(Record(), Boot, RenewedAt + Second).IsOpen);

        var after = FenceRule.Decide(Record(), Boot, RenewedAt + Second + 1_000_000);
        Assert.False(after.IsOpen);
        Assert.Contains("lease 2a not renewed for 1.0s (ttl 2s)", after.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void The_default_ttl_leaves_five_seconds()
    {
        Assert.True(FenceRule.Decide(Record(10_000), Boot, RenewedAt + 5 * Second).IsOpen);
        Assert.False(FenceRule.Decide(Record(10_000), Boot, RenewedAt + 5 * Second + 1).IsOpen);
    }

    [Fact]
    public void What_cannot_be_trusted_closes_the_fence()
    {
        Assert.Contains("no lease record", FenceRule.Decide(null, Boot, RenewedAt).Reason, StringComparison.Ordinal);
        // After a reboot the monotonic clock starts again: an old record's time means nothing.
        var otherBoot = FenceRule.Decide(Record(), "boot-2", RenewedAt);
        Assert.False(otherBoot.IsOpen);
        Assert.Contains("another boot", otherBoot.Reason, StringComparison.Ordinal);
        var future = FenceRule.Decide(Record(), Boot, RenewedAt - 1);
        Assert.False(future.IsOpen);
        Assert.Contains("future", future.Reason, StringComparison.Ordinal);
        // What a beacon writes when it knows no renewal of the lease the claims are on.
        Assert.False(FenceRule.Decide(Record() with { RenewedAtNs = 0 }, Boot, RenewedAt).IsOpen);
    }

    [Fact]
    public void The_agents_fence_uses_the_same_half_ttl()
    {
        Assert.True(FenceRule.IsOpen(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)));
        Assert.False(FenceRule.IsOpen(TimeSpan.FromSeconds(1) + TimeSpan.FromTicks(1), TimeSpan.FromSeconds(2)));
    }
}
