using ARSoft.Tools.Net.Dns;
using Xunit;
using Xunit.Sdk;

namespace Dokkaa.Dns.Tests.Support;

/// <summary>
/// Compares a response, decoded by ARSoft (<see cref="IndependentDecoder"/>), with what the zone holds
/// (<see cref="ExpectedZone"/>, <see cref="ExpectedAnswer"/>): header (id, QR, opcode, AA, RA, RD, CD, RCODE, TC),
/// the question echoed, and every record of every section, nothing missing and nothing extra.
/// </summary>
public static class AnswerCheck
{
    /// <summary>
    /// Checks <paramref name="response"/>, the server's answer over <paramref name="transport"/> from <paramref name="zone"/>.
    /// With the <paramref name="query"/> the answer is held to it (id, flags, question as sent, OPT echoed); a query
    /// that ARSoft cannot read as a plain one (one question, nothing else but an OPT) may get FORMERR, which is then
    /// only checked to carry no records. Returns ARSoft's reading of the response.
    /// </summary>
    public static DnsMessage Verify(ReadOnlySpan<byte> response, ExpectedZone zone, DnsTransport transport, ReadOnlySpan<byte> query = default)
    {
        var message = IndependentDecoder.Decode(response);
        var sent = query.IsEmpty ? null : IndependentDecoder.TryDecode(query);
        var plain = sent is not null && IsPlain(sent, query);
        var where = $"response {Convert.ToHexString(response)}{(query.IsEmpty ? "" : " to query " + Convert.ToHexString(query))} over {transport}: ";
        try
        {
            Check(message, zone, transport, sent, plain, query);
        }
        catch (XunitException e)
        {
            throw new XunitException(where + e.Message);
        }

        return message;
    }

    private static void Check(DnsMessage message, ExpectedZone zone, DnsTransport transport, DnsMessage? sent, bool plain, ReadOnlySpan<byte> query)
    {
        Assert.False(message.IsQuery, "QR must be set");
        if (query.Length >= 2)
            Assert.Equal((query[0] << 8) | query[1], message.TransactionID);
        if (sent is not null)
            Assert.Equal((sent.IsRecursionDesired, sent.IsCheckingDisabled), (message.IsRecursionDesired, message.IsCheckingDisabled));

        if (message.OperationCode != OperationCode.Query)
        {
            Assert.Equal(ReturnCode.NotImplemented, message.ReturnCode);
            AssertNoRecords(message);
            return;
        }

        if (message.Questions.Count == 0)
        {
            Assert.False(plain, "a plain query got no question back");
            Assert.Contains(message.ReturnCode, new[] { ReturnCode.FormatError, ReturnCode.ServerFailure });
            AssertNoRecords(message);
            return;
        }

        var question = Assert.Single(message.Questions);
        if (plain)
        {
            var asked = sent!.Questions[0];
            Assert.Equal((IndependentDecoder.Text(asked.Name), asked.RecordType, asked.RecordClass), (IndependentDecoder.Text(question.Name), question.RecordType, question.RecordClass));
        }

        var version = sent is { IsEDnsEnabled: true, EDnsOptions: { } options } ? options.Version : 0;
        var expected = ExpectedAnswer.For(zone, question.Name.Labels, (ushort)question.RecordType, (ushort)question.RecordClass, transport, version);
        if (expected.Forwarded)
        {
            Assert.True(message.IsRecursionAllowed, "a forwarded answer without RA");
            return;
        }

        Assert.True(zone.Forwarding == message.IsRecursionAllowed, "RA must be set exactly when upstreams are configured");
        if (!plain && message.ReturnCode is ReturnCode.FormatError or ReturnCode.BadVersion)
        {
            AssertNoRecords(message);
            return;
        }

        if (message.IsTruncated)
        {
            // Too big for the UDP limit, ANY over UDP, or a rate-limited slip (header and question only, NOERROR).
            Assert.True(transport == DnsTransport.Udp, "TC over TCP");
            Assert.Contains((int)message.ReturnCode, new[] { expected.Rcode, 0 });
            AssertNoRecords(message);
            return;
        }

        Assert.False(expected.AlwaysTruncated, "ANY over UDP must be answered truncated");
        Assert.Equal(expected.Rcode, (int)message.ReturnCode);
        Assert.True(expected.Authoritative == message.IsAuthoritiveAnswer, $"AA must be {expected.Authoritative}");
        var answers = IndependentDecoder.Records(message.AnswerRecords);
        AssertSameRecords(expected.Answers, answers, "answer");
        // Answers keep the question's spelling (case included); the server promises it.
        Assert.All(answers, a => Assert.Equal(IndependentDecoder.Text(question.Name), a.Name));
        AssertSameRecords(expected.Authority, IndependentDecoder.Records(message.AuthorityRecords), "authority");
        var additional = IndependentDecoder.Records(message.AdditionalRecords);
        if (transport == DnsTransport.Tcp)
            AssertSameRecords(expected.Additional, additional, "additional");
        else
            AssertSubset(expected.Additional, additional, "additional");

        if (sent is not null)
        {
            Assert.True((sent.IsEDnsEnabled && expected.EchoesOpt) == message.IsEDnsEnabled, "OPT must be echoed exactly when the query had one");
            if (message is { IsEDnsEnabled: true, EDnsOptions: { } opt })
                Assert.Equal((zone.MaxUdpPayload, sent.IsDnsSecOk), (opt.UdpPayloadSize, opt.IsDnsSecOk));
        }
    }

    /// <summary>
    /// A query a server must answer rather than reject (RFC 1035 4.1, RFC 6891 6.1.1): one question whose name is
    /// written out (labels of at most 63 octets, 255 in all; a pointer can only point back, and nothing precedes
    /// it), no answer or authority records, and at most one OPT, owned by the root, as the additional section.
    /// ARSoft is more lenient than that in what it reads, so the name is checked on the bytes.
    /// </summary>
    private static bool IsPlain(DnsMessage sent, ReadOnlySpan<byte> query)
    {
        if (sent is not { IsQuery: true, OperationCode: OperationCode.Query, Questions.Count: 1, AnswerRecords.Count: 0, AuthorityRecords.Count: 0 }
            || sent.AdditionalRecords.Count > 1
            || sent.AdditionalRecords.Any(r => r is not OptRecord || r.Name.LabelCount != 0))
        {
            return false;
        }

        var position = 12;
        while (position < query.Length && query[position] is > 0 and <= 63)
            position += 1 + query[position];
        return position < query.Length && query[position] == 0 && position + 1 - 12 <= 255;
    }

    private static void AssertNoRecords(DnsMessage message)
    {
        Assert.Empty(message.AnswerRecords);
        Assert.Empty(message.AuthorityRecords);
        Assert.All(message.AdditionalRecords, r => Assert.IsType<OptRecord>(r));
    }

    /// <summary>The same records, in any order (the server rotates them by query id), names compared without case.</summary>
    private static void AssertSameRecords(IReadOnlyList<TestRecord> expected, IReadOnlyList<TestRecord> actual, string section)
    {
        var (want, got) = (Normalise(expected), Normalise(actual));
        if (!want.SequenceEqual(got))
            throw new XunitException($"{section} section: expected\n  {string.Join("\n  ", want)}\nbut got\n  {string.Join("\n  ", got)}");
    }

    /// <summary>Each of <paramref name="actual"/> is one of <paramref name="expected"/>, none more often than there.</summary>
    private static void AssertSubset(IReadOnlyList<TestRecord> expected, IReadOnlyList<TestRecord> actual, string section)
    {
        var left = Normalise(expected);
        foreach (var record in Normalise(actual))
        {
            if (!left.Remove(record))
                throw new XunitException($"{section} section: {record} is not one of\n  {string.Join("\n  ", Normalise(expected))}");
        }
    }

    private static List<string> Normalise(IEnumerable<TestRecord> records) =>
        records.Select(r => $"{r.Name} {r.Ttl} {r.Class} {r.Type} {r.Data}".ToLowerInvariant()).Order(StringComparer.Ordinal).ToList();
}
