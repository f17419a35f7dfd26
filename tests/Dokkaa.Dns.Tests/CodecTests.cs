using Dokkaa.Dns.Tests.Support;
using Dokkaa.Dns.Wire;
using Xunit;

namespace Dokkaa.Dns.Tests;

/// <summary>
/// Byte-exact exchanges, written out by hand from RFC 1035 4.1 (header, question, RR, 4.1.4 compression),
/// RFC 2782 (SRV), RFC 6891 (OPT) and RFC 2308 (negative answers with the SOA).
/// </summary>
public sealed class CodecTests
{
    // 1.web.service.container in wire form: 1 "1", 3 "web", 7 "service", 9 "container", root.
    private const string InstanceName = "01 31 03 776562 07 73657276696365 09 636f6e7461696e6572 00";

    [Fact]
    public void InstanceAQueryGetsExactlyTheAddressRecord()
    {
        var query = Ask.Hex($"""
            1234 0100 0001 0000 0000 0000
            {InstanceName} 0001 0001
            """);
        var expected = Ask.Hex($"""
            1234 8500 0001 0001 0000 0000
            {InstanceName} 0001 0001
            c00c 0001 0001 00000005 0004 c0a8010a
            """);
        // 85: QR, AA, RD copied. 00: no RA (no upstreams), NOERROR. The owner is a pointer to the question (offset 12).
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(Ask.Raw(Clusters.Example(), query)));
    }

    [Fact]
    public void SrvQueryGetsThePortAnUncompressedTargetAndTheTargetsAddress()
    {
        // 80.tcp.1.web.service.container: "80" at 12, "tcp" at 15, "1" at 19 (0x13), ...
        var query = Ask.Hex($"""
            beef 0100 0001 0000 0000 0000
            02 3830 03 746370 {InstanceName} 0021 0001
            """);
        var expected = Ask.Hex($"""
            beef 8500 0001 0001 0000 0001
            02 3830 03 746370 {InstanceName} 0021 0001
            c00c 0021 0001 00000005 001f 0000 0000 c011 {InstanceName}
            c013 0001 0001 00000005 0004 c0a8010a
            """);
        // SRV: priority 0, weight 0, port 49169 (c011), target written out (RFC 2782 forbids compressing it);
        // the additional A's owner points at 1.web.service.container inside the question.
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(Ask.Raw(Clusters.Example(), query)));
    }

    [Fact]
    public void UnknownNameGetsNxdomainWithTheSoaAndItsNegativeTtl()
    {
        // nope.container: "nope" at 12, "container" at 17 (0x11). RD clear.
        var query = Ask.Hex("""
            0001 0000 0001 0000 0000 0000
            04 6e6f7065 09 636f6e7461696e6572 00 0001 0001
            """);
        var expected = Ask.Hex("""
            0001 8403 0001 0000 0001 0000
            04 6e6f7065 09 636f6e7461696e6572 00 0001 0001
            c011 0006 0001 00000005 0026
              02 6e73 c011
              0a 686f73746d6173746572 c011
              0000002a 00000e10 00000258 00015180 00000005
            """);
        // 84 03: QR, AA, NXDOMAIN. SOA owner container. (pointer 0x11); MNAME ns.container.; RNAME
        // hostmaster.container.; serial 42 (the etcd revision); refresh 3600, retry 600, expire 86400;
        // MINIMUM 5 = the TTL, the negative caching time of RFC 2308.
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(Ask.Raw(Clusters.Example(), query)));
    }

    [Fact]
    public void EdnsQueryGetsOptWithTheServersPayloadSize()
    {
        var query = Ask.Hex($"""
            1234 0100 0001 0000 0000 0001
            {InstanceName} 0001 0001
            00 0029 1000 00000000 0000
            """);
        // The client offers 4096; the server's OPT says 1232 (04d0), version 0, no flags, no options.
        var expected = Ask.Hex($"""
            1234 8500 0001 0001 0000 0001
            {InstanceName} 0001 0001
            c00c 0001 0001 00000005 0004 c0a8010a
            00 0029 04d0 00000000 0000
            """);
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(Ask.Raw(Clusters.Example(), query)));
    }

    [Fact]
    public void QuestionCaseIsKeptAndAnswersPointAtIt()
    {
        var query = Ask.Hex("""
            0007 0100 0001 0000 0000 0000
            01 31 03 574542 07 53657276696365 09 434f4e5441494e4552 00 0001 0001
            """);
        var response = Ask.Raw(Clusters.Example(), query);
        Assert.Equal(query.AsSpan(12, 29).ToArray(), response.AsSpan(12, 29).ToArray());
        Assert.Equal(Ask.Hex("c00c 0001 0001 00000005 0004 c0a8010a"), response[^16..]);
    }

    [Fact]
    public void ReaderFollowsAPointerBackwards()
    {
        // "web.service.container" at 12; at 35 a name "1" + pointer to 12.
        var message = Ask.Hex("""
            0000 0000 0000 0000 0000 0000
            03 776562 07 73657276696365 09 636f6e7461696e6572 00
            01 31 c00c
            """);
        Span<byte> name = stackalloc byte[255];
        Assert.True(DnsName.TryRead(message, 35, name, lowercase: false, out var length, out var end));
        Assert.Equal(Ask.Hex(InstanceName), name[..length].ToArray());
        Assert.Equal(message.Length, end);
    }

    [Theory]
    [InlineData("c00c", 12)] // points at itself
    [InlineData("c00e c00c", 12)] // 12 -> 14 is forward
    [InlineData("01 61 c00c", 12)] // "a" then back to its own start: a loop
    [InlineData("01 61 c00e", 12)] // points into its own labels
    [InlineData("c0ff", 12)] // past the end
    [InlineData("c0", 12)] // pointer cut in half
    [InlineData("05 6162", 12)] // label longer than what is left
    [InlineData("40 61", 12)] // label type 01 (extended, RFC 6891 5): a 64-octet "label"
    [InlineData("80 61", 12)] // label type 10: reserved
    [InlineData("03 616263", 12)] // no terminating root
    [InlineData("", 12)] // nothing at all
    public void ReaderRejectsMalformedNames(string name, int offset)
    {
        var message = Ask.Hex("0000 0000 0000 0000 0000 0000 " + name);
        Span<byte> destination = stackalloc byte[255];
        Assert.False(DnsName.TryRead(message, offset, destination, lowercase: false, out _, out _));
    }

    [Fact]
    public void ReaderRejectsAChainOfBackwardPointersThatLoops()
    {
        // 12: pointer to 14; 14: pointer to 12. The first jump is forward: refused before any loop.
        var message = Ask.Hex("0000 0000 0000 0000 0000 0000 c00e c00c");
        Span<byte> destination = stackalloc byte[255];
        Assert.False(DnsName.TryRead(message, 14, destination, lowercase: false, out _, out _));
    }

    [Fact]
    public void ReaderAcceptsExactly255OctetsAndNoMore()
    {
        // 4 labels of 63 (256 octets with the root) is one too many; 3 of 63 and one of 61 is 255.
        var label63 = "3f" + new string('a', 126);
        var label61 = "3d" + string.Concat(Enumerable.Repeat("62", 61));
        var ok = Ask.Hex("0000 0000 0000 0000 0000 0000" + label63 + label63 + label63 + label61 + "00");
        var tooLong = Ask.Hex("0000 0000 0000 0000 0000 0000" + label63 + label63 + label63 + label63 + "00");
        Span<byte> destination = stackalloc byte[255];
        Assert.True(DnsName.TryRead(ok, 12, destination, lowercase: false, out var length, out _));
        Assert.Equal(255, length);
        Assert.False(DnsName.TryRead(tooLong, 12, destination, lowercase: false, out _, out _));
    }

    [Fact]
    public void ReaderRejectsANameOver255OctetsBuiltFromPointers()
    {
        // Name i is a 63-octet label and a pointer to name i-1: 65, 129, 193, then 257 octets.
        var message = new List<byte>(Ask.Hex("0000 0000 0000 0000 0000 0000"));
        var starts = new List<int>();
        for (var i = 0; i < 4; i++)
        {
            starts.Add(message.Count);
            message.Add(63);
            message.AddRange(Enumerable.Repeat((byte)'x', 63));
            if (i == 0)
            {
                message.Add(0);
            }
            else
            {
                message.Add((byte)(0xC0 | (starts[i - 1] >> 8)));
                message.Add((byte)starts[i - 1]);
            }
        }

        var bytes = message.ToArray();
        Span<byte> destination = stackalloc byte[255];
        Assert.True(DnsName.TryRead(bytes, starts[2], destination, lowercase: false, out var length, out _));
        Assert.Equal(193, length);
        Assert.False(DnsName.TryRead(bytes, starts[3], destination, lowercase: false, out _, out _));
    }

    [Fact]
    public void WriterCompressesRepeatedSuffixesAndNeverTheSrvTarget()
    {
        Span<byte> buffer = stackalloc byte[512];
        var writer = new DnsMessageWriter(buffer, 512, stackalloc ushort[16], stackalloc int[16]);
        Assert.True(writer.TryWriteHeader(1, 0x80, 0));
        Assert.True(writer.TryWriteQuestion(DnsName.FromText("_http._tcp.service.container"), 33, 1));
        // 12: _http, 18: _tcp, 23: service, 31: container.
        Assert.True(writer.TryWriteSrv(DnsName.FromText("_http._tcp.service.container"), 5, 0, 0, 80, DnsName.FromText("1.web.service.container")));
        Assert.True(writer.TryWriteAddress(DnsName.FromText("1.WEB.service.container"), 5, [10, 0, 0, 1]));
        var written = buffer[..writer.Position].ToArray();
        var expected = Ask.Hex("""
            0001 8000 0000 0000 0000 0000
            05 5f68747470 04 5f746370 07 73657276696365 09 636f6e7461696e6572 00 0021 0001
            c00c 0021 0001 00000005 001f 0000 0000 0050 01 31 03 776562 07 73657276696365 09 636f6e7461696e6572 00
            c040 0001 0001 00000005 0004 0a000001
            """);
        // The SRV owner is the question (c00c); its target is written out in full at 64 (0x40) although
        // "service.container" is already in the question; the A owner after it then points at that target.
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(written));
    }

    [Fact]
    public void WriterLeavesTheMessageUnchangedWhenARecordDoesNotFit()
    {
        Span<byte> buffer = stackalloc byte[64];
        var writer = new DnsMessageWriter(buffer, 48, stackalloc ushort[16], stackalloc int[16]);
        Assert.True(writer.TryWriteHeader(1, 0x80, 0));
        Assert.True(writer.TryWriteQuestion(DnsName.FromText("a.container"), 1, 1));
        var before = writer.Position;
        Assert.False(writer.TryWriteSrv(DnsName.FromText("a.container"), 5, 0, 0, 80, DnsName.FromText("1.web.service.container")));
        Assert.Equal(before, writer.Position);
        Assert.True(writer.TryWriteAddress(DnsName.FromText("a.container"), 5, [1, 2, 3, 4]));
        Assert.Equal(before + 16, writer.Position);
    }
}
