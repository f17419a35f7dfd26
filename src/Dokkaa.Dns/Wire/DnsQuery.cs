using System.Buffers.Binary;

namespace Dokkaa.Dns.Wire;

/// <summary>How far a query got through <see cref="DnsQuery.Parse"/>.</summary>
internal enum DnsQueryStatus
{
    /// <summary>One well-formed question; the OPT record (if any) read.</summary>
    Ok,
    /// <summary>No answer at all: shorter than a header, or a response (QR set).</summary>
    Drop,
    /// <summary>An opcode other than QUERY.</summary>
    NotImplemented,
    /// <summary>Malformed before or in the question: answer FORMERR without a question.</summary>
    FormatError,
    /// <summary>The question is fine but a later section is not: answer FORMERR echoing the question.</summary>
    FormatErrorAfterQuestion,
}

/// <summary>The parts of a query the server uses. The question name itself goes to a caller's buffer.</summary>
internal struct DnsQuery
{
    public ushort Id;
    public byte Flags1;
    public byte Flags2;
    /// <summary>Length of the question name in wire form (root included).</summary>
    public int NameLength;
    /// <summary>Offset just past the question in the query.</summary>
    public int QuestionEnd;
    public ushort Type;
    public ushort Class;
    public bool HasOpt;
    /// <summary>The client's EDNS0 UDP payload size (the OPT record's class).</summary>
    public ushort UdpPayload;
    public byte EdnsVersion;
    public bool DnssecOk;

    public readonly int Opcode => (Flags1 & DnsConstants.OpcodeMask) >> 3;

    /// <summary>
    /// Reads the header, exactly one question (name into <paramref name="name"/>, at least 255 bytes,
    /// case kept), skips answer and authority records and looks for one OPT record among the additional
    /// records (RFC 6891 6.1.1: more than one, or one not owned by the root, is a format error).
    /// Every length is checked against the message; nothing here throws for any input.
    /// </summary>
    public static DnsQueryStatus Parse(ReadOnlySpan<byte> message, Span<byte> name, out DnsQuery query)
    {
        query = default;
        if (message.Length < DnsConstants.HeaderLength)
            return DnsQueryStatus.Drop;
        query.Id = BinaryPrimitives.ReadUInt16BigEndian(message);
        query.Flags1 = message[2];
        query.Flags2 = message[3];
        // Never answer a response: that is how reflection loops between servers start.
        if ((query.Flags1 & DnsConstants.FlagQr) != 0)
            return DnsQueryStatus.Drop;
        if (query.Opcode != 0)
            return DnsQueryStatus.NotImplemented;

        var questions = BinaryPrimitives.ReadUInt16BigEndian(message[4..]);
        var answers = BinaryPrimitives.ReadUInt16BigEndian(message[6..]);
        var authority = BinaryPrimitives.ReadUInt16BigEndian(message[8..]);
        var additional = BinaryPrimitives.ReadUInt16BigEndian(message[10..]);
        if (questions != 1)
            return DnsQueryStatus.FormatError;
        if (!DnsName.TryRead(message, DnsConstants.HeaderLength, name, lowercase: false, out query.NameLength, out var position)
            || position + 4 > message.Length)
        {
            return DnsQueryStatus.FormatError;
        }

        query.Type = BinaryPrimitives.ReadUInt16BigEndian(message[position..]);
        query.Class = BinaryPrimitives.ReadUInt16BigEndian(message[(position + 2)..]);
        position += 4;
        query.QuestionEnd = position;

        Span<byte> scratch = stackalloc byte[DnsConstants.MaxNameLength];
        for (var i = 0; i < answers + authority; i++)
        {
            if (!TrySkipRecord(message, ref position, scratch, out _, out _, out _, out _, out _))
                return DnsQueryStatus.FormatErrorAfterQuestion;
        }

        for (var i = 0; i < additional; i++)
        {
            if (!TrySkipRecord(message, ref position, scratch, out var ownerLength, out var type, out var @class, out var ttl, out var data))
                return DnsQueryStatus.FormatErrorAfterQuestion;
            if (type != DnsConstants.TypeOpt)
                continue;
            if (query.HasOpt || ownerLength != 1 || !OptionsWellFormed(message.Slice(data.Offset, data.Length)))
                return DnsQueryStatus.FormatErrorAfterQuestion;
            query.HasOpt = true;
            query.UdpPayload = @class;
            query.EdnsVersion = (byte)(ttl >> 16);
            query.DnssecOk = (ttl & 0x8000) != 0;
        }

        // Bytes after the last record are ignored, as most servers do.
        return DnsQueryStatus.Ok;
    }

    private static bool TrySkipRecord(ReadOnlySpan<byte> message, ref int position, Span<byte> scratch, out int ownerLength, out ushort type, out ushort @class, out uint ttl, out (int Offset, int Length) data)
    {
        type = @class = 0;
        ttl = 0;
        data = default;
        if (!DnsName.TryRead(message, position, scratch, lowercase: false, out ownerLength, out var end) || end + 10 > message.Length)
            return false;
        type = BinaryPrimitives.ReadUInt16BigEndian(message[end..]);
        @class = BinaryPrimitives.ReadUInt16BigEndian(message[(end + 2)..]);
        ttl = BinaryPrimitives.ReadUInt32BigEndian(message[(end + 4)..]);
        var length = BinaryPrimitives.ReadUInt16BigEndian(message[(end + 8)..]);
        var start = end + 10;
        if (start + length > message.Length)
            return false;
        data = (start, length);
        position = start + length;
        return true;
    }

    /// <summary>EDNS options are code, length, data; the lengths must add up to the RDATA exactly.</summary>
    private static bool OptionsWellFormed(ReadOnlySpan<byte> data)
    {
        var position = 0;
        while (position < data.Length)
        {
            if (position + 4 > data.Length)
                return false;
            var length = BinaryPrimitives.ReadUInt16BigEndian(data[(position + 2)..]);
            position += 4 + length;
        }

        return position == data.Length;
    }
}
