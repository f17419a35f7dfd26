using Dokkaa.Dns.Tests.Support;
using Xunit;

namespace Dokkaa.Dns.Tests;

/// <summary>Broken and unusual queries: FORMERR, NOTIMP, REFUSED or silence, never an exception.</summary>
public sealed class MalformedQueryTests
{
    private const string Question = "01 31 03 776562 07 73657276696365 09 636f6e7461696e6572 00 0001 0001";

    private static DnsAnswer Answer(byte[] query, out byte[] response)
    {
        var buffer = new byte[DnsResolverCore.MaximumResponseLength];
        var state = Clusters.Example();
        var answer = DnsResolverCore.Answer(query, state, Ask.Options, buffer, DnsTransport.Udp);
        response = buffer[..answer.Length];
        if (answer.Action == DnsAnswerAction.Respond)
            AnswerCheck.Verify(response, ExpectedZone.Of(state, Ask.Options), DnsTransport.Udp, query);
        return answer;
    }

    [Theory]
    [InlineData("")]
    [InlineData("12")]
    [InlineData("1234 0100 0001 0000 0000")] // 10 bytes: no id can be trusted to the end of a header
    public void ShorterThanAHeaderIsDropped(string hex)
    {
        Assert.Equal(DnsAnswerAction.Drop, Answer(Ask.Hex(hex), out _).Action);
    }

    [Fact]
    public void AResponseIsNeverAnswered()
    {
        Assert.Equal(DnsAnswerAction.Drop, Answer(Ask.Hex("1234 8100 0001 0000 0000 0000" + Question), out _).Action);
    }

    [Theory]
    [InlineData("1234 0100 0001 0000 0000 0000", "header only")]
    [InlineData("1234 0100 0000 0000 0000 0000", "no question")]
    [InlineData("1234 0100 0002 0000 0000 0000" + Question + Question, "two questions")]
    [InlineData("1234 0100 0001 0000 0000 0000 01 31 03 776562", "name cut off")]
    [InlineData("1234 0100 0001 0000 0000 0000 01 31 00 0001", "type and class cut off")]
    [InlineData("1234 0100 0001 0000 0000 0000 c00c 0001 0001", "pointer to itself")]
    [InlineData("1234 0100 0001 0000 0000 0000 01 31 c00e 0001 0001", "pointer into its own labels")]
    [InlineData("1234 0100 0001 0000 0000 0000 41 31 00 0001 0001", "label length 65 (extended label type)")]
    [InlineData("1234 0100 0001 0000 0000 0000 c5 00 0001 0001", "pointer past the end")]
    public void MalformedQuestionsGetFormerrWithoutAQuestion(string hex, string what)
    {
        var answer = Answer(Ask.Hex(hex), out var response);
        Assert.True(answer.Action == DnsAnswerAction.Respond, what);
        Assert.Equal(DnsResponseCode.FormErr, answer.ResponseCode);
        var message = TestMessage.Parse(response);
        Assert.Equal(0x1234, message.Id);
        Assert.True(message.Qr);
        Assert.Equal(1, message.Rcode);
        Assert.Empty(message.Questions);
    }

    [Fact]
    public void NameLongerThan255OctetsGetsFormerr()
    {
        var label = "3f" + new string('a', 126);
        var answer = Answer(Ask.Hex("1234 0100 0001 0000 0000 0000" + label + label + label + label + "00 0001 0001"), out _);
        Assert.Equal(DnsResponseCode.FormErr, answer.ResponseCode);
    }

    [Theory]
    [InlineData("0001 0000 0000", "00 0001 0001 00000000 0005 01020304", "answer record data cut off")]
    [InlineData("0000 0001 0000", "00 0001 0001 00000000", "authority record header cut off")]
    [InlineData("0000 0000 0002", "00 0029 1000 00000000 0000 00 0029 1000 00000000 0000", "two OPT records (RFC 6891 6.1.1)")]
    [InlineData("0000 0000 0001", "01 61 00 0029 1000 00000000 0000", "OPT owned by a name other than the root")]
    [InlineData("0000 0000 0001", "00 0029 1000 00000000 0005 000a 0008 01", "an EDNS option longer than the OPT data")]
    [InlineData("0000 0000 0003", "00 0029 1000 00000000 0000", "more additional records announced than present")]
    public void MalformedLaterSectionsGetFormerrEchoingTheQuestion(string counts, string records, string what)
    {
        var hex = $"1234 0100 0001 {counts} {Question} {records}";
        var answer = Answer(Ask.Hex(hex), out var response);
        Assert.True(answer.ResponseCode == DnsResponseCode.FormErr, what);
        var message = TestMessage.Parse(response);
        Assert.Single(message.Questions);
        Assert.Empty(message.Answers);
        Assert.Null(message.Opt);
    }

    [Theory]
    [InlineData(1, "IQUERY")]
    [InlineData(2, "STATUS")]
    [InlineData(4, "NOTIFY")]
    [InlineData(5, "UPDATE")]
    [InlineData(15, "unassigned")]
    public void OpcodesOtherThanQueryGetNotimp(int opcode, string what)
    {
        var query = Ask.Hex("1234 0100 0001 0000 0000 0000" + Question);
        query[2] = (byte)((opcode << 3) | 0x01);
        var answer = Answer(query, out var response);
        Assert.True(answer.ResponseCode == DnsResponseCode.NotImp, what);
        var message = TestMessage.Parse(response);
        Assert.Equal(opcode, message.Opcode);
        Assert.True(message.Rd);
    }

    [Fact]
    public void UnknownEdnsVersionGetsBadvers()
    {
        var message = Ask.Message(Clusters.Example(), TestQuery.Build("1.web.service.container", TestQuery.A, ednsPayload: 1232, ednsVersion: 1));
        Assert.Equal(16, message.ExtendedRcode);
        Assert.Equal(0, message.Rcode);
        Assert.Empty(message.Answers);
        Assert.Equal(0u, (message.Opt!.Ttl >> 16) & 0xFF);
    }

    [Fact]
    public void OptAsTheQuestionTypeGetsFormerr()
    {
        var message = Ask.Message(Clusters.Example(), TestQuery.Build("1.web.service.container", 41));
        Assert.Equal(1, message.Rcode);
    }

    [Theory]
    [InlineData(252, "AXFR")]
    [InlineData(251, "IXFR")]
    public void ZoneTransfersAreRefused(ushort type, string what)
    {
        var message = Ask.Message(Clusters.Example(), TestQuery.Build("container", type), transport: DnsTransport.Tcp);
        Assert.True(message.Rcode == 5, what);
    }

    [Fact]
    public void ClassesOtherThanInAreRefused()
    {
        var message = Ask.Message(Clusters.Example(), TestQuery.Build("1.web.service.container", TestQuery.A, @class: 3));
        Assert.Equal(5, message.Rcode);
        Assert.False(message.Aa);
    }

    [Fact]
    public void TrailingBytesAfterTheLastRecordAreIgnored()
    {
        var message = Ask.Message(Clusters.Example(), Ask.Hex("1234 0100 0001 0000 0000 0000" + Question + "dead beef"));
        Assert.Equal(0, message.Rcode);
        Assert.Single(message.Answers);
    }

    [Fact]
    public void AResponseBufferSmallerThan512BytesIsACallerError()
    {
        Assert.Throws<ArgumentException>(() => DnsResolverCore.Answer(TestQuery.Build("a.container", 1), Clusters.Example(), Ask.Options, new byte[100], DnsTransport.Udp));
    }
}
