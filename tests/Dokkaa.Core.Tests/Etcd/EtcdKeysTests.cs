using Dokkaa.Etcd;
using Xunit;

namespace Dokkaa.Core.Tests.Etcd;

/// <summary>How a prefix becomes etcd's [key, range_end) interval.</summary>
public sealed class EtcdKeysTests
{
    [Theory]
    [InlineData(new byte[] { (byte)'a' }, new byte[] { (byte)'b' })]
    [InlineData(new byte[] { (byte)'a', (byte)'/' }, new byte[] { (byte)'a', (byte)'0' })]
    [InlineData(new byte[] { (byte)'a', 0xff }, new byte[] { (byte)'b' })]
    [InlineData(new byte[] { (byte)'a', 0xfe, 0xff, 0xff }, new byte[] { (byte)'a', 0xff })]
    [InlineData(new byte[] { 0xff, 0xff }, new byte[] { 0 })]
    [InlineData(new byte[0], new byte[] { 0 })]
    public void The_prefix_range_end_increments_the_last_byte_that_can_be(byte[] prefix, byte[] end) =>
        Assert.Equal(end, EtcdKeys.PrefixRangeEnd(prefix));

    [Fact]
    public void The_empty_prefix_asks_for_the_whole_keyspace() => Assert.Equal(new byte[] { 0 }, EtcdKeys.RangeStart("", prefix: true));
}
