using System.Buffers.Binary;
using Dokkaa.Core.Cluster;
using Dokkaa.Dns.Tests.Support;
using Dokkaa.Dns.Wire;
using Dokkaa.Dns.Zone;
using FsCheck;
using FsCheck.Fluent;
using Xunit;

namespace Dokkaa.Dns.Tests;

/// <summary>
/// No packet crashes the server. The properties call the handler without its catch-all, so an exception
/// anywhere fails them, and check that every response is a well-formed message (parsed by the tests' own
/// reader) of the right size for the transport, for the query's id.
/// </summary>
public sealed class PropertyTests
{
    private static readonly Config Config = Config.QuickThrowOnFailure.WithMaxTest(5000);
    private static readonly CompiledOptions Options = CompiledOptions.For(Ask.Options);
    private static readonly ClusterState[] States = [Clusters.Example(), Clusters.Many(100)];

    private static readonly byte[][] ValidQueries =
    [
        TestQuery.Build("1.web.service.container", TestQuery.A),
        TestQuery.Build("80.tcp.1.web.service.container", TestQuery.Srv, ednsPayload: 4096),
        TestQuery.Build("_http._tcp.app.container", TestQuery.Srv, ednsPayload: 1232, dnssecOk: true),
        TestQuery.Build("big.app.container", TestQuery.A, ednsPayload: 512),
        TestQuery.Build("nothing.container", TestQuery.Aaaa),
        TestQuery.Build("container", TestQuery.Any, ednsPayload: 1232),
        TestQuery.Build("example.com", TestQuery.A),
        // A name with a compression pointer back into the question's own earlier labels is legal only for later names:
        // answer and additional sections with compressed owners exercise the record skipping.
        Ask.Hex("""
            4242 0100 0001 0001 0001 0001
            01 31 03 776562 07 73657276696365 09 636f6e7461696e6572 00 0001 0001
            c00c 0001 0001 00000005 0004 01020304
            c012 0006 0001 00000005 0002 c012
            00 0029 1000 00008000 0008 000a 0004 01020304
            """),
    ];

    [Fact]
    public void RandomBytesNeverThrowAndGetAWellFormedResponseOrNone() =>
        Check.One(Config, Prop.ForAll(ArbMap.Default.ArbFor<byte[]>(), AnswersSafely));

    [Fact]
    public void RandomBytesBehindAPlausibleHeaderNeverThrow() =>
        Check.One(Config, Prop.ForAll(PlausibleQuery().ToArbitrary(), AnswersSafely));

    [Fact]
    public void MutatedValidQueriesNeverThrow() =>
        Check.One(Config, Prop.ForAll(Mutation().ToArbitrary(), AnswersSafely));

    [Fact]
    public void RandomNamesReadNeverThrowAndStayWithin255Octets() =>
        Check.One(Config, Prop.ForAll(PlausibleQuery().ToArbitrary(), bytes =>
        {
            Span<byte> name = stackalloc byte[DnsConstants.MaxNameLength];
            // Every start a name can have in a query of reasonable size.
            for (var offset = 0; offset < Math.Min(bytes.Length, 600); offset++)
            {
                if (DnsName.TryRead(bytes, offset, name, lowercase: true, out var length, out var end)
                    && (length > DnsConstants.MaxNameLength || end <= offset || end > bytes.Length || name[length - 1] != 0))
                {
                    return false;
                }
            }

            return true;
        }));

    [Fact]
    public void WellFormedQuestionsForAnyNameGetAnAuthoritativeOrRefusedAnswer() =>
        Check.One(Config, Prop.ForAll(QuestionName().ToArbitrary(), Gen.Elements<ushort>(1, 2, 6, 28, 33, 255, 16, 99).ToArbitrary(), (name, type) =>
        {
            var query = TestQuery.Build(name, type, ednsPayload: 1232);
            var buffer = new byte[DnsConstants.MaxMessageLength];
            foreach (var state in States)
            {
                var answer = DnsResolverCore.AnswerUnchecked(query, state, Options, buffer, DnsTransport.Udp);
                AnswerCheck.Verify(buffer.AsSpan(0, answer.Length), ExpectedZone.Of(state, Ask.Options), DnsTransport.Udp, query);
                var message = TestMessage.Parse(buffer.AsSpan(0, answer.Length));
                var inZone = name.EndsWith(".container", StringComparison.OrdinalIgnoreCase) || name.Equals("container", StringComparison.OrdinalIgnoreCase);
                if (inZone ? message.Rcode is not (0 or 3) || !message.Aa : message.Rcode != 5)
                    return false;
            }

            return true;
        }));

    [Fact]
    public void TheGeneratorsReachEveryOutcome()
    {
        // Guards the properties above against generators that never get past the header.
        var outcomes = new HashSet<string>();
        var buffer = new byte[DnsConstants.MaxMessageLength];
        foreach (var query in Mutation().Sample(3000).Concat(PlausibleQuery().Sample(1000)))
        {
            foreach (var state in States)
            {
                var answer = DnsResolverCore.AnswerUnchecked(query, state, Options, buffer, DnsTransport.Udp);
                outcomes.Add(answer.Action == DnsAnswerAction.Respond ? $"{answer.ResponseCode}{(answer.Truncated ? "+TC" : "")}" : answer.Action.ToString());
            }
        }

        string[] expected = ["Drop", "FormErr", "NoError", "NoError+TC", "NotImp", "NxDomain", "Refused"];
        Assert.Empty(expected.Except(outcomes));
    }

    private static bool AnswersSafely(byte[] query)
    {
        var buffer = new byte[DnsConstants.MaxMessageLength];
        foreach (var state in States)
        {
            foreach (var options in new[] { Ask.Options, Ask.Forwarding })
            {
                foreach (var transport in new[] { DnsTransport.Udp, DnsTransport.Tcp })
                {
                    var answer = DnsResolverCore.AnswerUnchecked(query, state, CompiledOptions.For(options), buffer, transport);
                    if (!WellFormed(query, answer, buffer, transport))
                        return false;
                    // And what it says is what the zone holds, read by ARSoft.
                    if (answer.Action == DnsAnswerAction.Respond)
                        AnswerCheck.Verify(buffer.AsSpan(0, answer.Length), ExpectedZone.Of(state, options), transport, query);
                }
            }
        }

        return true;
    }

    private static bool WellFormed(byte[] query, DnsAnswer answer, byte[] buffer, DnsTransport transport)
    {
        switch (answer.Action)
        {
            case DnsAnswerAction.Drop:
                return answer.Length == 0 && (query.Length < 12 || (query[2] & 0x80) != 0);
            case DnsAnswerAction.Forward:
                return answer.Length == 0;
        }

        var limit = transport == DnsTransport.Udp ? 1232 : DnsConstants.MaxMessageLength;
        if (answer.Length < DnsConstants.HeaderLength || answer.Length > limit)
            return false;
        var message = TestMessage.Parse(buffer.AsSpan(0, answer.Length));
        return message.Qr
            && message.Id == BinaryPrimitives.ReadUInt16BigEndian(query)
            && message.ExtendedRcode == (int)answer.ResponseCode
            && message.Tc == answer.Truncated
            && message.Questions.Count <= 1;
    }

    /// <summary>A query header (QR clear, opcode QUERY, one question, small counts) followed by label-like junk.</summary>
    private static Gen<byte[]> PlausibleQuery() =>
        from id in Gen.Choose(0, 0xFFFF)
        from counts in Gen.ArrayOf(Gen.Elements<byte>(0, 0, 1, 2, 255), 3)
        from pieces in Gen.ListOf(Piece())
        select new byte[] { (byte)(id >> 8), (byte)id, 0x01, 0x00, 0, 1, 0, counts[0], 0, counts[1], 0, counts[2] }
            .Concat(pieces.SelectMany(p => p))
            .ToArray();

    private static Gen<byte[]> Piece() =>
        Gen.OneOf(
            // A label, sometimes longer than 63 or than what follows.
            from length in Gen.Elements(0, 1, 3, 9, 63, 64, 100, 255)
            from content in Gen.ArrayOf(Gen.Elements((byte)'a', (byte)'1', (byte)'-', (byte)'A', (byte)0, (byte)0xC0), Math.Min(length, 70))
            select new[] { (byte)length }.Concat(content).ToArray(),
            // A pointer, mostly into the message.
            from target in Gen.OneOf(Gen.Choose(0, 64), Gen.Choose(0, 0x3FFF))
            select new[] { (byte)(0xC0 | (target >> 8)), (byte)target },
            Gen.Constant(new byte[] { 0 }),
            // Type/class, an OPT header, a record header with a length.
            Gen.Elements(new byte[] { 0, 1, 0, 1 }, new byte[] { 0, 0x29, 0x10, 0, 0, 0, 0, 0, 0, 0 }, new byte[] { 0, 0x21, 0, 1, 0, 0, 0, 5, 0, 6 }),
            ArbMap.Default.GeneratorFor<byte[]>());

    /// <summary>A valid query with 1 to 4 edits (mostly one): overwritten, inserted, deleted bytes, or cut short.</summary>
    private static Gen<byte[]> Mutation() =>
        from original in Gen.Elements(ValidQueries)
        from edits in Gen.ListOf(Edit(), 4)
        from count in Gen.Frequency((6, Gen.Constant(1)), (2, Gen.Constant(2)), (1, Gen.Constant(3)), (1, Gen.Constant(4)))
        select edits.Take(count).Aggregate(original, (bytes, edit) => edit(bytes));

    private static Gen<Func<byte[], byte[]>> Edit() =>
        from kind in Gen.Choose(0, 3)
        from at in Gen.Choose(0, 200)
            // Structural values (lengths, pointer bits, OPT's type) and letters (a name that still parses but differs).
        from value in Gen.Elements<byte>(0, 1, 0x3F, 0x40, 0x80, 0xC0, 0xC0 | 0x0C, 0xFF, 0x29, (byte)'q', (byte)'Q', (byte)'2')
        select (Func<byte[], byte[]>)(bytes =>
        {
            var list = bytes.ToList();
            var i = list.Count == 0 ? 0 : at % list.Count;
            switch (kind)
            {
                case 0 when list.Count > 0:
                    list[i] = value;
                    break;
                case 1:
                    list.Insert(i, value);
                    break;
                case 2 when list.Count > 0:
                    list.RemoveAt(i);
                    break;
                default:
                    list = list.Take(i).ToList();
                    break;
            }

            return list.ToArray();
        });

    /// <summary>Names of 1-6 labels from a small alphabet (so they often hit real names), some outside the zone.</summary>
    private static Gen<string> QuestionName() =>
        from labels in Gen.Choose(1, 5).SelectMany(n => Gen.ListOf(Gen.Elements("1", "2", "80", "tcp", "udp", "web", "service", "big", "app", "_http", "_tcp", "x", "WEB", "container"), n))
        from zone in Gen.Elements("container", "CONTAINER", "com", "container.example")
        select string.Join('.', labels.Append(zone));
}
