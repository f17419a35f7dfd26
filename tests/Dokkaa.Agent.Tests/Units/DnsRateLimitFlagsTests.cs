using System.CommandLine;
using System.Net;
using Dokkaa.Agent.CommandLine;
using Dokkaa.Agent.Hosting;
using Dokkaa.Dns.Limits;
using Xunit;

namespace Dokkaa.Agent.Tests.Units;

/// <summary>The response-rate limiting flags of <c>dokkaa-agent</c> and <c>dokkaa-agent dns</c>, and the containers' exemption.</summary>
public sealed class DnsRateLimitFlagsTests
{
    private static DnsRateLimitOptions Parse(params string[] args)
    {
        var flags = new DnsRateLimitFlags();
        var command = new RootCommand();
        foreach (var option in flags.All)
            command.Add(option);
        var result = command.Parse(args);
        Assert.Empty(result.Errors);
        return flags.ToOptions(result);
    }

    [Fact]
    public void WithoutFlagsTheLibraryDefaultsApply()
    {
        var defaults = new DnsRateLimitOptions();
        var parsed = Parse();
        Assert.Equal((defaults.ResponsesPerSecond, defaults.Burst, defaults.Slip), (parsed.ResponsesPerSecond, parsed.Burst, parsed.Slip));
        Assert.Equal(defaults.Exempt, parsed.Exempt);
    }

    [Fact]
    public void FlagsSetTheLimitsAndAddExemptNetworksToLoopback()
    {
        var parsed = Parse("--dns-rate-limit", "50", "--dns-rate-limit-burst", "80", "--dns-rate-limit-slip", "0", "--dns-rate-limit-exempt", "10.1.0.0/16", "--dns-rate-limit-exempt", "fd00::/8");
        Assert.Equal((50, 80, 0), (parsed.ResponsesPerSecond, parsed.Burst, parsed.Slip));
        Assert.Equal(["127.0.0.0/8", "::1/128", "10.1.0.0/16", "fd00::/8"], parsed.Exempt.Select(n => n.ToString()).ToArray());
        Assert.False(Parse("--dns-rate-limit", "0").Enabled);
    }

    [Theory]
    [InlineData("--dns-rate-limit", "-1")]
    [InlineData("--dns-rate-limit-burst", "0")]
    [InlineData("--dns-rate-limit-slip", "-2")]
    [InlineData("--dns-rate-limit-exempt", "10.0.0.1/8")]
    [InlineData("--dns-rate-limit-exempt", "bridge")]
    public void BadValuesAreRefusedNamingTheFlag(string flag, string value)
    {
        var error = Assert.Throws<FormatException>(() => Parse(flag, value));
        Assert.StartsWith(flag + ":", error.Message, StringComparison.Ordinal);
        Assert.Contains(value, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheSubnetOfALocalAddressIsItsInterfacesPrefix()
    {
        // Loopback stands in for the bridge gateway: both are addresses of a local interface.
        Assert.Equal(IPNetwork.Parse("127.0.0.0/8"), LocalSubnet.Of(IPAddress.Loopback));
        Assert.Null(LocalSubnet.Of(IPAddress.Parse("192.0.2.1")));
    }
}
