using System.Buffers.Binary;

namespace Dokkaa.Dns.Wire;

/// <summary>
/// Writes one DNS message into a caller's buffer, never past <see cref="Limit"/>. Every Try method either
/// writes a whole item or leaves the message as it was, so a response can stop cleanly at the size limit.
/// Names are compressed (RFC 1035 4.1.4) against every label sequence written before, remembered in a
/// small caller-provided table of offsets with a hash of each suffix, so that finding a suffix is a
/// vectorized scan of integers; when the table is full, names are still correct, just longer.
/// </summary>
internal ref struct DnsMessageWriter
{
    private readonly Span<byte> _buffer;
    private readonly Span<ushort> _names;
    private readonly Span<int> _hashes;
    private int _limit;
    private int _position;
    private int _nameCount;

    /// <param name="nameTable">Offsets of remembered names; its length bounds how many are remembered.</param>
    /// <param name="hashTable">As long as <paramref name="nameTable"/>: the hash of each remembered name.</param>
    public DnsMessageWriter(Span<byte> buffer, int limit, Span<ushort> nameTable, Span<int> hashTable)
    {
        _buffer = buffer;
        _limit = Math.Min(limit, buffer.Length);
        _names = nameTable[..Math.Min(nameTable.Length, hashTable.Length)];
        _hashes = hashTable;
        _position = 0;
        _nameCount = 0;
    }

    public readonly int Position => _position;

    /// <summary>Bytes the message may grow to; lowering it reserves room (for the OPT record).</summary>
    public int Limit
    {
        readonly get => _limit;
        set => _limit = Math.Min(value, _buffer.Length);
    }

    public readonly Mark Save() => new(_position, _nameCount);

    public void Restore(Mark mark)
    {
        _position = mark.Position;
        _nameCount = mark.NameCount;
    }

    /// <summary>The header with all counts zero; fill them with <see cref="SetCounts"/>.</summary>
    public bool TryWriteHeader(ushort id, byte flags1, byte flags2)
    {
        if (_limit < DnsConstants.HeaderLength)
            return false;
        BinaryPrimitives.WriteUInt16BigEndian(_buffer, id);
        _buffer[2] = flags1;
        _buffer[3] = flags2;
        _buffer[4..DnsConstants.HeaderLength].Clear();
        _position = DnsConstants.HeaderLength;
        return true;
    }

    public readonly void SetFlags(byte flags1, byte flags2)
    {
        _buffer[2] = flags1;
        _buffer[3] = flags2;
    }

    public readonly void SetCounts(int questions, int answers, int authority, int additional)
    {
        BinaryPrimitives.WriteUInt16BigEndian(_buffer[4..], (ushort)questions);
        BinaryPrimitives.WriteUInt16BigEndian(_buffer[6..], (ushort)answers);
        BinaryPrimitives.WriteUInt16BigEndian(_buffer[8..], (ushort)authority);
        BinaryPrimitives.WriteUInt16BigEndian(_buffer[10..], (ushort)additional);
    }

    /// <summary>The question, its name written out in full (so the client's case is kept) and remembered for compression.</summary>
    public bool TryWriteQuestion(ReadOnlySpan<byte> name, ushort type, ushort @class)
    {
        var mark = Save();
        if (TryWriteName(name, compress: false) && TryWriteUInt16(type) && TryWriteUInt16(@class))
            return true;
        Restore(mark);
        return false;
    }

    /// <summary>An A (4-byte address) or AAAA (16-byte address) record.</summary>
    public bool TryWriteAddress(ReadOnlySpan<byte> owner, uint ttl, ReadOnlySpan<byte> address)
    {
        var type = address.Length == 4 ? DnsConstants.TypeA : DnsConstants.TypeAaaa;
        var mark = Save();
        if (TryWriteRecordStart(owner, type, ttl) && TryWriteUInt16((ushort)address.Length) && TryWriteBytes(address))
            return true;
        Restore(mark);
        return false;
    }

    /// <summary>
    /// An SRV record (RFC 2782). The target is not compressed: RFC 2782 forbids it and RFC 3597 asks servers
    /// not to compress names in the data of types newer than RFC 1035. Later names may still point into it.
    /// </summary>
    public bool TryWriteSrv(ReadOnlySpan<byte> owner, uint ttl, ushort priority, ushort weight, ushort port, ReadOnlySpan<byte> target)
    {
        var mark = Save();
        if (TryWriteRecordStart(owner, DnsConstants.TypeSrv, ttl) && TryReserveLength(out var lengthAt)
            && TryWriteUInt16(priority) && TryWriteUInt16(weight) && TryWriteUInt16(port)
            && TryWriteName(target, compress: false))
        {
            PatchLength(lengthAt);
            return true;
        }

        Restore(mark);
        return false;
    }

    public bool TryWriteNs(ReadOnlySpan<byte> owner, uint ttl, ReadOnlySpan<byte> target)
    {
        var mark = Save();
        if (TryWriteRecordStart(owner, DnsConstants.TypeNs, ttl) && TryReserveLength(out var lengthAt) && TryWriteName(target, compress: true))
        {
            PatchLength(lengthAt);
            return true;
        }

        Restore(mark);
        return false;
    }

    public bool TryWriteSoa(ReadOnlySpan<byte> owner, uint ttl, ReadOnlySpan<byte> mname, ReadOnlySpan<byte> rname, uint serial, uint refresh, uint retry, uint expire, uint minimum)
    {
        var mark = Save();
        if (TryWriteRecordStart(owner, DnsConstants.TypeSoa, ttl) && TryReserveLength(out var lengthAt)
            && TryWriteName(mname, compress: true) && TryWriteName(rname, compress: true)
            && TryWriteUInt32(serial) && TryWriteUInt32(refresh) && TryWriteUInt32(retry) && TryWriteUInt32(expire) && TryWriteUInt32(minimum))
        {
            PatchLength(lengthAt);
            return true;
        }

        Restore(mark);
        return false;
    }

    /// <summary>An OPT pseudo-record (RFC 6891 6.1.2) without options.</summary>
    public bool TryWriteOpt(ushort payloadSize, byte extendedRcode, bool dnssecOk)
    {
        var mark = Save();
        var ttl = ((uint)extendedRcode << 24) | (dnssecOk ? 0x8000u : 0u);
        if (TryWriteByte(0) && TryWriteUInt16(DnsConstants.TypeOpt) && TryWriteUInt16(payloadSize) && TryWriteUInt32(ttl) && TryWriteUInt16(0))
            return true;
        Restore(mark);
        return false;
    }

    public bool TryWriteBytes(ReadOnlySpan<byte> bytes)
    {
        if (_position + bytes.Length > _limit)
            return false;
        bytes.CopyTo(_buffer[_position..]);
        _position += bytes.Length;
        return true;
    }

    private bool TryWriteRecordStart(ReadOnlySpan<byte> owner, ushort type, uint ttl) =>
        TryWriteName(owner, compress: true) && TryWriteUInt16(type) && TryWriteUInt16(DnsConstants.ClassIn) && TryWriteUInt32(ttl);

    private bool TryReserveLength(out int at)
    {
        at = _position;
        return TryWriteUInt16(0);
    }

    private readonly void PatchLength(int at) =>
        BinaryPrimitives.WriteUInt16BigEndian(_buffer[at..], (ushort)(_position - at - 2));

    private bool TryWriteByte(byte value)
    {
        if (_position + 1 > _limit)
            return false;
        _buffer[_position++] = value;
        return true;
    }

    private bool TryWriteUInt16(ushort value)
    {
        if (_position + 2 > _limit)
            return false;
        BinaryPrimitives.WriteUInt16BigEndian(_buffer[_position..], value);
        _position += 2;
        return true;
    }

    private bool TryWriteUInt32(uint value)
    {
        if (_position + 4 > _limit)
            return false;
        BinaryPrimitives.WriteUInt32BigEndian(_buffer[_position..], value);
        _position += 4;
        return true;
    }

    /// <summary>
    /// Writes an uncompressed wire name. With <paramref name="compress"/>, the longest suffix already in the
    /// message becomes a pointer. Label sequences written out are remembered as targets either way.
    /// The caller restores its mark when this fails.
    /// </summary>
    private bool TryWriteName(ReadOnlySpan<byte> name, bool compress)
    {
        var at = 0;
        while (true)
        {
            var rest = name[at..];
            var length = rest[0];
            if (length == 0)
                return TryWriteByte(0);
            var hash = Hash(rest);
            if (compress)
            {
                var target = Find(rest, hash);
                if (target >= 0)
                    return TryWriteUInt16((ushort)(0xC000 | target));
            }

            if (_position + 1 + length > _limit)
                return false;
            // Pointers have 14 bits: only offsets below 16384 can be targets.
            if (_position < 0x4000 && _nameCount < _names.Length)
            {
                _names[_nameCount] = (ushort)_position;
                _hashes[_nameCount] = hash;
                _nameCount++;
            }

            rest[..(1 + length)].CopyTo(_buffer[_position..]);
            _position += 1 + length;
            at += 1 + length;
        }
    }

    private readonly int Find(ReadOnlySpan<byte> name, int hash)
    {
        var hashes = _hashes[.._nameCount];
        var from = 0;
        while (true)
        {
            var i = hashes[from..].IndexOf(hash);
            if (i < 0)
                return -1;
            from += i;
            if (SameNameAt(_names[from], name))
                return _names[from];
            from++;
        }
    }

    /// <summary>FNV-1a of an uncompressed wire name, ignoring ASCII case.</summary>
    private static int Hash(ReadOnlySpan<byte> name)
    {
        var hash = 2166136261u;
        foreach (var b in name)
            hash = (hash ^ DnsName.Lower(b)) * 16777619u;
        return (int)hash;
    }

    /// <summary>Compares the name written at <paramref name="offset"/> (this writer's own output, so well formed) with a wire name, ignoring ASCII case.</summary>
    private readonly bool SameNameAt(int offset, ReadOnlySpan<byte> name)
    {
        var position = offset;
        var at = 0;
        // Our own names have at most 127 labels plus pointers; the bound only guards against a bug.
        for (var steps = 0; steps < 256; steps++)
        {
            var octet = _buffer[position];
            if ((octet & 0xC0) == 0xC0)
            {
                position = ((octet & 0x3F) << 8) | _buffer[position + 1];
                continue;
            }

            if (octet != name[at])
                return false;
            if (octet == 0)
                return true;
            for (var k = 1; k <= octet; k++)
            {
                if (DnsName.Lower(_buffer[position + k]) != DnsName.Lower(name[at + k]))
                    return false;
            }

            position += 1 + octet;
            at += 1 + octet;
        }

        return false;
    }

    public readonly record struct Mark(int Position, int NameCount);
}
