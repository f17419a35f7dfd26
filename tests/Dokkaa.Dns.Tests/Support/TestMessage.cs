using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Text;

namespace Dokkaa.Dns.Tests.Support;

/// <summary>One resource record as the tests read it: data rendered like dig does.</summary>
public sealed record TestRecord(string Name, ushort Type, ushort Class, uint Ttl, string Data);

/// <summary>
/// A DNS message decoded by the tests' own small reader (not the server's), so that a bug in the server's
/// codec cannot hide itself; ARSoft's parser reads each one as well and must agree (<see cref="IndependentDecoder"/>).
/// </summary>
public sealed record TestMessage(
    ushort Id,
    bool Qr,
    int Opcode,
    bool Aa,
    bool Tc,
    bool Rd,
    bool Ra,
    bool Cd,
    int Rcode,
    IReadOnlyList<(string Name, ushort Type, ushort Class)> Questions,
    IReadOnlyList<TestRecord> Answers,
    IReadOnlyList<TestRecord> Authority,
    IReadOnlyList<TestRecord> Additional)
{
    public TestRecord? Opt => Additional.SingleOrDefault(r => r.Type == 41);

    /// <summary>RCODE including the upper bits from OPT.</summary>
    public int ExtendedRcode => Opt is { } opt ? Rcode | (int)((opt.Ttl >> 24) << 4) : Rcode;

    public static TestMessage Parse(ReadOnlySpan<byte> message)
    {
        var m = message.ToArray();
        var position = 12;
        var qd = BinaryPrimitives.ReadUInt16BigEndian(m.AsSpan(4));
        var an = BinaryPrimitives.ReadUInt16BigEndian(m.AsSpan(6));
        var ns = BinaryPrimitives.ReadUInt16BigEndian(m.AsSpan(8));
        var ar = BinaryPrimitives.ReadUInt16BigEndian(m.AsSpan(10));
        var questions = new List<(string, ushort, ushort)>();
        for (var i = 0; i < qd; i++)
        {
            var name = ReadName(m, ref position);
            questions.Add((name, U16(m, position), U16(m, position + 2)));
            position += 4;
        }

        var answers = ReadRecords(m, ref position, an);
        var authority = ReadRecords(m, ref position, ns);
        var additional = ReadRecords(m, ref position, ar);
        if (position != m.Length)
            throw new FormatException($"{m.Length - position} bytes after the last record");
        var decoded = new TestMessage(
            U16(m, 0), (m[2] & 0x80) != 0, (m[2] >> 3) & 0xF, (m[2] & 0x04) != 0, (m[2] & 0x02) != 0, (m[2] & 0x01) != 0,
            (m[3] & 0x80) != 0, (m[3] & 0x10) != 0, m[3] & 0x0F, questions, answers, authority, additional);
        // Every message the tests read is read by ARSoft too, and must read the same.
        IndependentDecoder.AssertAgrees(m, decoded);
        return decoded;
    }

    private static List<TestRecord> ReadRecords(byte[] m, ref int position, int count)
    {
        var records = new List<TestRecord>();
        for (var i = 0; i < count; i++)
        {
            var name = ReadName(m, ref position);
            var type = U16(m, position);
            var @class = U16(m, position + 2);
            var ttl = BinaryPrimitives.ReadUInt32BigEndian(m.AsSpan(position + 4));
            var length = U16(m, position + 8);
            position += 10;
            var end = position + length;
            if (end > m.Length)
                throw new FormatException("record data past the end");
            var data = RenderData(m, position, length, type);
            position = end;
            records.Add(new TestRecord(name, type, @class, ttl, data));
        }

        return records;
    }

    private static string RenderData(byte[] m, int position, int length, ushort type)
    {
        var p = position;
        string text;
        switch (type)
        {
            case 1:
            case 28:
                text = new IPAddress(m.AsSpan(position, length)).ToString();
                p += length;
                break;
            case 2:
                text = ReadName(m, ref p);
                break;
            case 6:
                var mname = ReadName(m, ref p);
                var rname = ReadName(m, ref p);
                var numbers = Enumerable.Range(0, 5).Select(k => BinaryPrimitives.ReadUInt32BigEndian(m.AsSpan(p + (4 * k))).ToString(CultureInfo.InvariantCulture));
                text = $"{mname} {rname} {string.Join(' ', numbers)}";
                p += 20;
                break;
            case 33:
                text = string.Create(CultureInfo.InvariantCulture, $"{U16(m, p)} {U16(m, p + 2)} {U16(m, p + 4)} ");
                p += 6;
                // RFC 2782: the target must not be compressed.
                if (!NameIsUncompressed(m, p))
                    throw new FormatException("compressed SRV target");
                text += ReadName(m, ref p);
                break;
            default:
                text = Convert.ToHexString(m, position, length);
                p += length;
                break;
        }

        if (p != position + length)
            throw new FormatException($"type {type}: RDLENGTH {length} but data used {p - position}");
        return text;
    }

    private static bool NameIsUncompressed(byte[] m, int p)
    {
        while (m[p] != 0)
        {
            if ((m[p] & 0xC0) != 0)
                return false;
            p += 1 + m[p];
        }

        return true;
    }

    /// <summary>Reads a name, following pointers only backwards, and returns it in dig's text form ("a.b.").</summary>
    public static string ReadName(byte[] m, ref int position)
    {
        var text = new StringBuilder();
        var p = position;
        var jumped = false;
        var guard = 0;
        while (true)
        {
            if (++guard > 300)
                throw new FormatException("name loop");
            var length = m[p];
            if ((length & 0xC0) == 0xC0)
            {
                var target = ((length & 0x3F) << 8) | m[p + 1];
                if (target >= p)
                    throw new FormatException("forward pointer");
                if (!jumped)
                    position = p + 2;
                jumped = true;
                p = target;
                continue;
            }

            if (length == 0)
            {
                if (!jumped)
                    position = p + 1;
                return text.Length == 0 ? "." : text.ToString();
            }

            text.Append(Encoding.ASCII.GetString(m, p + 1, length)).Append('.');
            p += 1 + length;
        }
    }

    private static ushort U16(byte[] m, int at) => BinaryPrimitives.ReadUInt16BigEndian(m.AsSpan(at));
}

/// <summary>Queries as a stub resolver would send them.</summary>
public static class TestQuery
{
    public const ushort A = 1;
    public const ushort Ns = 2;
    public const ushort Soa = 6;
    public const ushort Aaaa = 28;
    public const ushort Srv = 33;
    public const ushort Any = 255;

    public static byte[] Build(string name, ushort type, ushort id = 0x1234, bool rd = true, int? ednsPayload = null, bool dnssecOk = false, ushort @class = 1, byte ednsVersion = 0)
    {
        var bytes = new List<byte> { (byte)(id >> 8), (byte)id, (byte)(rd ? 0x01 : 0x00), 0x00, 0, 1, 0, 0, 0, 0, 0, (byte)(ednsPayload is null ? 0 : 1) };
        foreach (var label in name.TrimEnd('.').Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            bytes.Add((byte)label.Length);
            bytes.AddRange(Encoding.ASCII.GetBytes(label));
        }

        bytes.AddRange([0, (byte)(type >> 8), (byte)type, (byte)(@class >> 8), (byte)@class]);
        if (ednsPayload is { } payload)
            bytes.AddRange([0, 0, 41, (byte)(payload >> 8), (byte)payload, 0, ednsVersion, (byte)(dnssecOk ? 0x80 : 0), 0, 0, 0]);
        return bytes.ToArray();
    }
}
