using System.Globalization;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using Xunit;
using Xunit.Sdk;

namespace Dokkaa.Dns.Tests.Support;

/// <summary>
/// Decodes DNS messages with ARSoft.Tools.Net's parser, a DNS library that shares no code with the server or with
/// the tests' own reader (<see cref="TestMessage"/>), and renders its records the way <see cref="TestRecord"/> does.
/// </summary>
public static class IndependentDecoder
{
    /// <summary>The message as ARSoft reads it; a message it cannot read fails the test with the bytes.</summary>
    public static DnsMessage Decode(ReadOnlySpan<byte> bytes)
    {
        try
        {
            return DnsMessage.Parse(new ArraySegment<byte>(bytes.ToArray()));
        }
        catch (Exception e)
        {
            throw new XunitException($"ARSoft cannot parse the message ({e.GetType().Name}: {e.Message}):\n{Convert.ToHexString(bytes)}");
        }
    }

    /// <summary>A query as ARSoft reads it, or null when it cannot: then the server's answer to it is not the zone's to predict.</summary>
    public static DnsMessage? TryDecode(ReadOnlySpan<byte> bytes)
    {
        try
        {
            return DnsMessage.Parse(new ArraySegment<byte>(bytes.ToArray()));
        }
        catch (Exception)
        {
            return null;
        }
    }

    /// <summary>The records of a section other than OPT (ARSoft keeps that in <see cref="DnsMessageBase.EDnsOptions"/>).</summary>
    public static List<TestRecord> Records(IEnumerable<DnsRecordBase> section) =>
        section.Where(r => r is not OptRecord).Select(Render).ToList();

    /// <summary>
    /// Fails unless ARSoft reads <paramref name="bytes"/> exactly as the tests' reader did: header bits, RCODE,
    /// question, and every record in order with its name, type, class, TTL and data.
    /// </summary>
    public static void AssertAgrees(ReadOnlySpan<byte> bytes, TestMessage ours)
    {
        var theirs = Decode(bytes);
        var where = "ARSoft and the tests' reader disagree on " + Convert.ToHexString(bytes) + ": ";
        Assert.True(ours.Id == theirs.TransactionID, where + "id");
        Assert.True(ours.Qr == !theirs.IsQuery, where + "QR");
        Assert.True(ours.Opcode == (int)theirs.OperationCode, where + "opcode");
        Assert.True(
            (ours.Aa, ours.Tc, ours.Rd, ours.Ra, ours.Cd) == (theirs.IsAuthoritiveAnswer, theirs.IsTruncated, theirs.IsRecursionDesired, theirs.IsRecursionAllowed, theirs.IsCheckingDisabled),
            where + "flags");
        Assert.True(ours.ExtendedRcode == (int)theirs.ReturnCode, where + $"RCODE {ours.ExtendedRcode} against {theirs.ReturnCode}");
        Assert.Equal(ours.Questions, theirs.Questions.Select(q => (Text(q.Name), (ushort)q.RecordType, (ushort)q.RecordClass)).ToList());
        Assert.Equal(ours.Answers, Records(theirs.AnswerRecords));
        Assert.Equal(ours.Authority, Records(theirs.AuthorityRecords));
        Assert.Equal(ours.Additional.Where(r => r.Type != 41).ToList(), Records(theirs.AdditionalRecords));
        Assert.True((ours.Opt is not null) == theirs.IsEDnsEnabled, where + "OPT");
        if (ours.Opt is { } opt && theirs.EDnsOptions is { } edns)
            Assert.True((opt.Class, (opt.Ttl & 0x8000) != 0) == (edns.UdpPayloadSize, edns.IsDnsSecOk), where + "OPT payload size or DO");
    }

    /// <summary>
    /// A name as the tests' reader writes it: the labels' bytes as they are, each followed by a dot ("." for the root).
    /// ARSoft's own text form escapes unusual bytes (\000), which says the same with other characters.
    /// </summary>
    public static string Text(DomainName name) => name.LabelCount == 0 ? "." : string.Concat(name.Labels.Select(l => l + "."));

    /// <summary>A record in <see cref="TestRecord"/>'s form: data as dig prints it, names with the trailing dot.</summary>
    public static TestRecord Render(DnsRecordBase record)
    {
        var data = record switch
        {
            ARecord a => a.Address.ToString(),
            AaaaRecord aaaa => aaaa.Address.ToString(),
            NsRecord ns => Text(ns.NameServer),
            SoaRecord soa => string.Create(
                CultureInfo.InvariantCulture,
                $"{Text(soa.MasterName)} {Text(soa.ResponsibleName)} {soa.SerialNumber} {soa.RefreshInterval} {soa.RetryInterval} {soa.ExpireInterval} {soa.NegativeCachingTTL}"),
            SrvRecord srv => string.Create(CultureInfo.InvariantCulture, $"{srv.Priority} {srv.Weight} {srv.Port} {Text(srv.Target)}"),
            UnknownRecord unknown => Convert.ToHexString(unknown.RecordData),
            _ => throw new XunitException($"the server sent a {record.RecordType} record, a type it never writes: {record}"),
        };
        return new TestRecord(Text(record.Name), (ushort)record.RecordType, (ushort)record.RecordClass, unchecked((uint)record.TimeToLive), data);
    }
}
