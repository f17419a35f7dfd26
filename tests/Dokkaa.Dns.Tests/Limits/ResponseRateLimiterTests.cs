using System.Net;
using Dokkaa.Dns.Limits;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Dokkaa.Dns.Tests.Limits;

/// <summary>The token buckets alone, on a manual clock.</summary>
public sealed class ResponseRateLimiterTests
{
    private readonly FakeTimeProvider _clock = new();

    private ResponseRateLimiter Limiter(int rate = 2, int burst = 3, int slip = 0, int buckets = 1024, IReadOnlyList<IPNetwork>? exempt = null) =>
        new(new DnsRateLimitOptions { ResponsesPerSecond = rate, Burst = burst, Slip = slip, Buckets = buckets, Exempt = exempt ?? [] }, _clock);

    private static RateLimitVerdict Ask(ResponseRateLimiter limiter, string address) =>
        limiter.Check(SourceAddress.From(IPAddress.Parse(address)), out _);

    private static RateLimitVerdict[] Ask(ResponseRateLimiter limiter, string address, int times) =>
        Enumerable.Range(0, times).Select(_ => Ask(limiter, address)).ToArray();

    [Fact]
    public void TheBurstIsAnsweredThenTheRate()
    {
        var limiter = Limiter(rate: 2, burst: 3);
        Assert.Equal([RateLimitVerdict.Answer, RateLimitVerdict.Answer, RateLimitVerdict.Answer, RateLimitVerdict.Drop], Ask(limiter, "192.0.2.1", 4));
        _clock.Advance(TimeSpan.FromMilliseconds(499));
        Assert.Equal(RateLimitVerdict.Drop, Ask(limiter, "192.0.2.1"));
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal([RateLimitVerdict.Answer, RateLimitVerdict.Drop], Ask(limiter, "192.0.2.1", 2));
        // Quiet for a long time: the bucket holds the burst again, no more.
        _clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(3, Ask(limiter, "192.0.2.1", 10).Count(v => v == RateLimitVerdict.Answer));
    }

    [Theory]
    [InlineData(0, "DDDDDD")]
    [InlineData(1, "SSSSSS")]
    [InlineData(3, "DDSDDS")]
    public void EveryNthLimitedQuerySlips(int slip, string expected)
    {
        var limiter = Limiter(rate: 1, burst: 1, slip: slip);
        Assert.Equal(RateLimitVerdict.Answer, Ask(limiter, "192.0.2.1"));
        Assert.Equal(expected, string.Concat(Ask(limiter, "192.0.2.1", 6).Select(v => v == RateLimitVerdict.Slip ? 'S' : v == RateLimitVerdict.Drop ? 'D' : 'A')));
    }

    [Theory]
    [InlineData("192.0.2.1", "192.0.2.254", true)]
    [InlineData("192.0.2.1", "192.0.3.1", false)]
    [InlineData("192.0.2.1", "::ffff:192.0.2.77", true)]
    [InlineData("2001:db8:0:ff::1", "2001:db8:0:1:ffff::1", true)]
    [InlineData("2001:db8:0:ff::1", "2001:db8:0:100::1", false)]
    [InlineData("192.0.2.1", "::c000:201", false)]
    public void ClientsShareABucketPerPrefix(string first, string second, bool shared)
    {
        var limiter = Limiter(rate: 1, burst: 1);
        Assert.Equal(RateLimitVerdict.Answer, Ask(limiter, first));
        Assert.Equal(shared ? RateLimitVerdict.Drop : RateLimitVerdict.Answer, Ask(limiter, second));
    }

    [Fact]
    public void ExemptNetworksAreNeverLimited()
    {
        var defaults = new ResponseRateLimiter(new DnsRateLimitOptions { ResponsesPerSecond = 1, Burst = 1 }, _clock);
        Assert.All(Ask(defaults, "127.0.0.1", 5).Concat(Ask(defaults, "127.9.9.9", 5)).Concat(Ask(defaults, "::1", 5)), v => Assert.Equal(RateLimitVerdict.Exempt, v));
        Assert.Equal([RateLimitVerdict.Answer, RateLimitVerdict.Drop], Ask(defaults, "::2", 2));

        var bridge = Limiter(rate: 1, burst: 1, exempt: [IPNetwork.Parse("172.17.0.0/16")]);
        Assert.All(Ask(bridge, "172.17.3.4", 5), v => Assert.Equal(RateLimitVerdict.Exempt, v));
        Assert.Equal([RateLimitVerdict.Answer, RateLimitVerdict.Drop], Ask(bridge, "172.18.0.1", 2));
    }

    [Fact]
    public void APrefixTakesOverASharedBucketOnlyOnceItIsIdle()
    {
        // One bucket for every prefix: the second prefix shares the first one's while it is in use ...
        var limiter = Limiter(rate: 1, burst: 2, buckets: 1);
        Assert.Equal([RateLimitVerdict.Answer, RateLimitVerdict.Answer], Ask(limiter, "192.0.2.1", 2));
        Assert.Equal(RateLimitVerdict.Drop, Ask(limiter, "198.51.100.1"));
        // ... and gets it whole once it has refilled.
        _clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal([RateLimitVerdict.Answer, RateLimitVerdict.Answer, RateLimitVerdict.Drop], Ask(limiter, "198.51.100.1", 3));
    }

    [Fact]
    public void TheLimitedPrefixIsReported()
    {
        var limiter = Limiter(rate: 1, burst: 1);
        Ask(limiter, "192.0.2.1");
        limiter.Check(SourceAddress.From(IPAddress.Parse("192.0.2.9")), out var prefix);
        Assert.Equal(IPAddress.Parse("192.0.2.0"), prefix.ToAddress());
    }

    [Theory]
    [InlineData(-1, 1, 2, 24, 56, 1024, "ResponsesPerSecond")]
    [InlineData(10, 0, 2, 24, 56, 1024, "Burst")]
    [InlineData(10, 1, -1, 24, 56, 1024, "Slip")]
    [InlineData(10, 1, 2, 0, 56, 1024, "IPv4PrefixLength")]
    [InlineData(10, 1, 2, 24, 129, 1024, "IPv6PrefixLength")]
    [InlineData(10, 1, 2, 24, 56, 1000, "Buckets")]
    public void InvalidSettingsAreNamed(int rate, int burst, int slip, int v4, int v6, int buckets, string setting)
    {
        var options = new DnsRateLimitOptions { ResponsesPerSecond = rate, Burst = burst, Slip = slip, IPv4PrefixLength = v4, IPv6PrefixLength = v6, Buckets = buckets };
        Assert.Equal(setting, Assert.Throws<ArgumentException>(options.Validate).ParamName);
    }

    [Theory]
    [InlineData("10.0.0.0/8", "10.0.0.0/8")]
    [InlineData("fd00::/8", "fd00::/8")]
    [InlineData("192.0.2.7", "192.0.2.7/32")]
    public void NetworksParseLikeTheFlag(string text, string expected)
    {
        Assert.Equal(expected, DnsRateLimitOptions.ParseNetwork(text).ToString());
    }

    [Theory]
    [InlineData("10.0.0.1/8")]
    [InlineData("example.com")]
    [InlineData("10.0.0.0/33")]
    public void BadNetworksAreRejectedByName(string text)
    {
        Assert.Contains(text, Assert.Throws<FormatException>(() => DnsRateLimitOptions.ParseNetwork(text)).Message);
    }
}
