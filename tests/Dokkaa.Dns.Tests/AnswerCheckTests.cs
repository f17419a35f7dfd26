using Dokkaa.Dns.Tests.Support;
using Dokkaa.Testing;
using Xunit;
using Xunit.Sdk;

namespace Dokkaa.Dns.Tests;

/// <summary>
/// The independent check itself: a right answer passes, and each kind of wrong answer (one byte of a real
/// answer changed, a record left out, an answer from another zone) fails it. Without these, a check that passes
/// everything would look like a server without bugs.
/// </summary>
public sealed class AnswerCheckTests
{
    private static byte[] ServerAnswer(byte[] query, DnsTransport transport = DnsTransport.Udp)
    {
        var buffer = new byte[DnsResolverCore.MaximumResponseLength];
        var answer = DnsResolverCore.Answer(query, Clusters.Example(), Ask.Options, buffer, transport);
        return buffer[..answer.Length];
    }

    private static void Check(byte[] response, byte[] query, DnsTransport transport = DnsTransport.Udp) =>
        AnswerCheck.Verify(response, ExpectedZone.Of(Clusters.Example(), Ask.Options), transport, query);

    private static byte[] Changed(byte[] bytes, int at, Func<byte, byte> change)
    {
        var copy = bytes.ToArray();
        copy[at] = change(copy[at]);
        return copy;
    }

    public static TheoryData<string, ushort, int, byte, string> Corruptions => new()
    {
        // name, type, byte to change (negative: from the end), XOR mask, what it breaks. The layouts are CodecTests'.
        { "1.web.service.container", TestQuery.A, -1, 0x01, "the address" },
        { "1.web.service.container", TestQuery.A, -7, 0x01, "the TTL" },
        { "1.web.service.container", TestQuery.A, -11, 0x02, "the class" },
        { "1.web.service.container", TestQuery.A, 0, 0x01, "the id" },
        { "1.web.service.container", TestQuery.A, 2, 0x04, "AA" },
        { "1.web.service.container", TestQuery.A, 2, 0x01, "RD" },
        { "1.web.service.container", TestQuery.A, 3, 0x80, "RA" },
        { "1.web.service.container", TestQuery.A, 3, 0x03, "NOERROR becomes NXDOMAIN" },
        { "1.web.service.container", TestQuery.A, 15, 0x20, "the question's case" },
        { "80.tcp.1.web.service.container", TestQuery.Srv, -43, 0x01, "the SRV port" },
        { "80.tcp.1.web.service.container", TestQuery.Srv, -45, 0x01, "the SRV weight" },
        { "80.tcp.1.web.service.container", TestQuery.Srv, -37, 0x01, "the SRV target" },
        { "80.tcp.1.web.service.container", TestQuery.Srv, -1, 0x01, "the target's address (additional)" },
        { "nothing.container", TestQuery.A, 3, 0x03, "NXDOMAIN becomes NOERROR (NODATA)" },
        { "nothing.container", TestQuery.A, -1, 0x01, "the SOA's MINIMUM" },
        { "nothing.container", TestQuery.A, -20, 0x01, "the SOA's serial" },
    };

    [Fact]
    public void RightAnswersPass()
    {
        foreach (var (name, type) in new[] { ("1.web.service.container", TestQuery.A), ("80.tcp.1.web.service.container", TestQuery.Srv), ("nothing.container", TestQuery.A), ("_nginx._tcp.dummy.container", TestQuery.Srv), ("container", TestQuery.Ns) })
        {
            var query = TestQuery.Build(name, type);
            Check(ServerAnswer(query), query);
        }
    }

    [Theory]
    [MemberData(nameof(Corruptions))]
    public void OneChangedByteFailsTheCheck(string name, ushort type, int offset, byte mask, string what)
    {
        var query = TestQuery.Build(name, type);
        var response = ServerAnswer(query);
        var at = offset < 0 ? response.Length + offset : offset;
        var changed = Changed(response, at, b => (byte)(b ^ mask));
        Assert.True(Throws(() => Check(changed, query)), $"changing {what} (byte {at}) went unnoticed");
    }

    [Fact]
    public void AMissingRecordFailsTheCheck()
    {
        // Two addresses for web.service; the answer cut to the first one, its count set to 1.
        var query = TestQuery.Build("web.service.container", TestQuery.A);
        var response = ServerAnswer(query);
        var cut = response[..^16];
        cut[7] = 1;
        Assert.True(Throws(() => Check(cut, query)));
    }

    [Fact]
    public void AnExtraRecordFailsTheCheck()
    {
        // The address record twice.
        var query = TestQuery.Build("1.web.service.container", TestQuery.A);
        var response = ServerAnswer(query);
        var doubled = response.Concat(response[^16..]).ToArray();
        doubled[7] = 2;
        Assert.True(Throws(() => Check(doubled, query)));
    }

    [Fact]
    public void AnAnswerFromAnotherZoneFailsTheCheck()
    {
        // The instance moved: the server's answer from the old snapshot is not what the new zone holds.
        var query = TestQuery.Build("1.web.service.container", TestQuery.A);
        var moved = new ClusterStateBuilder()
            .Manifest("service", "web", 1, ("http", 80, "tcp"))
            .Instance("service", "web", 1, "192.168.1.99", ports: ("80/tcp", 49169))
            .State;
        Assert.True(Throws(() => AnswerCheck.Verify(ServerAnswer(query), ExpectedZone.Of(moved, Ask.Options), DnsTransport.Udp, query)));
    }

    [Fact]
    public void TruncationOverTcpAndMissingGlueOverTcpFailTheCheck()
    {
        var query = TestQuery.Build("80.tcp.1.web.service.container", TestQuery.Srv);
        var tcp = ServerAnswer(query, DnsTransport.Tcp);
        var truncated = Changed(tcp, 2, b => (byte)(b | 0x02));
        Assert.True(Throws(() => Check(truncated, query, DnsTransport.Tcp)));
        // Without its additional record: fine over UDP (glue may be left out for space), not over TCP.
        var withoutGlue = tcp[..^16];
        withoutGlue[11] = 0;
        Check(withoutGlue, query, DnsTransport.Udp);
        Assert.True(Throws(() => Check(withoutGlue, query, DnsTransport.Tcp)));
    }

    private static bool Throws(Action check)
    {
        try
        {
            check();
            return false;
        }
        catch (XunitException)
        {
            return true;
        }
    }
}
