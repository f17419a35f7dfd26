using System.Net;
using Dokkaa.Dns.Limits;
using Xunit;

namespace Dokkaa.Dns.Tests.Limits;

/// <summary>Reading a client's address from the raw socket address a UDP receive fills in.</summary>
public sealed class SourceAddressTests
{
    [Theory]
    [InlineData("192.0.2.55")]
    [InlineData("2001:db8::7")]
    [InlineData("::1")]
    public void TheRawSocketAddressGivesTheSameAddress(string text)
    {
        var address = IPAddress.Parse(text);
        Assert.True(SourceAddress.TryRead(new IPEndPoint(address, 5353).Serialize(), out var source));
        Assert.Equal(SourceAddress.From(address), source);
        Assert.Equal(address, source.ToAddress());
    }

    [Fact]
    public void AnIPv4MappedAddressIsTheIPv4Address()
    {
        Assert.True(SourceAddress.TryRead(new IPEndPoint(IPAddress.Parse("::ffff:192.0.2.55"), 53).Serialize(), out var source));
        Assert.Equal(SourceAddress.From(IPAddress.Parse("192.0.2.55")), source);
        Assert.True(source.IsV4);
    }

    [Theory]
    [InlineData("192.0.2.200", 24, 56, "192.0.2.0")]
    [InlineData("192.0.2.200", 32, 56, "192.0.2.200")]
    [InlineData("192.0.2.200", 1, 56, "128.0.0.0")]
    [InlineData("2001:db8:aaaa:bbcc:1::1", 24, 56, "2001:db8:aaaa:bb00::")]
    [InlineData("2001:db8:aaaa:bbcc:1::1", 24, 64, "2001:db8:aaaa:bbcc::")]
    [InlineData("2001:db8:aaaa:bbcc:1::1", 24, 128, "2001:db8:aaaa:bbcc:1::1")]
    public void PrefixesKeepTheirLeadingBits(string address, int v4, int v6, string expected)
    {
        Assert.Equal(IPAddress.Parse(expected), SourceAddress.From(IPAddress.Parse(address)).Prefix(v4, v6).ToAddress());
    }
}
