using Dokkaa.Core.Cluster;
using Dokkaa.Dns.Wire;
using Dokkaa.Dns.Zone;

namespace Dokkaa.Dns;

/// <summary>
/// Answers one DNS query from a cluster snapshot: a pure function over bytes, with no sockets, so it can be
/// tested and benchmarked alone. <see cref="DnsServer"/> calls it for every packet.
/// </summary>
/// <remarks>
/// The hot path allocates nothing: the question is parsed into stack buffers, the node is found in a
/// per-snapshot index by its wire bytes (the index is built on the first query after the snapshot
/// changes, and reused when only hosts or statuses changed), and the response is written straight into
/// the caller's buffer.
/// </remarks>
public static class DnsResolverCore
{
    /// <summary>The smallest response buffer <see cref="Answer"/> accepts: a classic UDP message.</summary>
    public const int MinimumResponseBuffer = DnsConstants.ClassicUdpLimit;

    /// <summary>A response buffer that holds any answer over TCP.</summary>
    public const int MaximumResponseLength = DnsConstants.MaxMessageLength;

    // SOA timers: there are no secondaries, so only MINIMUM (negative caching) matters; the rest are the
    // usual RFC 1912 style values so that tools which check them are content.
    private const uint SoaRefresh = 3600;
    private const uint SoaRetry = 600;
    private const uint SoaExpire = 86400;

    // Compression targets remembered per response; a 100-instance SRV answer needs about this many.
    private const int CompressionTableSize = 128;

    /// <summary>
    /// Answers <paramref name="query"/> (one DNS message as received) into <paramref name="response"/>.
    /// Never throws for any content of <paramref name="query"/>: malformed queries get FORMERR, opcodes
    /// other than QUERY get NOTIMP, messages without a full header and responses are dropped, and an
    /// internal failure becomes SERVFAIL. Throws <see cref="ArgumentException"/> only for invalid
    /// <paramref name="options"/> or a buffer shorter than <see cref="MinimumResponseBuffer"/>.
    /// </summary>
    /// <param name="transport">UDP responses are limited to 512 bytes, or the client's EDNS0 size up to
    /// <see cref="DnsServerOptions.MaxUdpPayload"/>, and get the TC bit when the answer does not fit.</param>
    public static DnsAnswer Answer(ReadOnlySpan<byte> query, ClusterState state, DnsServerOptions options, Span<byte> response, DnsTransport transport)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(options);
        if (response.Length < MinimumResponseBuffer)
            throw new ArgumentException($"the response buffer must hold at least {MinimumResponseBuffer} bytes", nameof(response));
        return AnswerCompiled(query, state, CompiledOptions.For(options), response, transport);
    }

    internal static DnsAnswer AnswerCompiled(ReadOnlySpan<byte> query, ClusterState state, CompiledOptions compiled, Span<byte> response, DnsTransport transport)
    {
        try
        {
            return AnswerUnchecked(query, state, compiled, response, transport);
        }
        catch (Exception)
        {
            // The packet handler must survive its own bugs; the property tests call AnswerUnchecked to find them.
            return Failure(query, compiled, response);
        }
    }

    /// <summary><see cref="Answer"/> without the safety net, so that tests see any exception.</summary>
    internal static DnsAnswer AnswerUnchecked(ReadOnlySpan<byte> query, ClusterState state, CompiledOptions options, Span<byte> response, DnsTransport transport)
    {
        Span<byte> name = stackalloc byte[DnsConstants.MaxNameLength];
        var status = DnsQuery.Parse(query, name, out var q);
        switch (status)
        {
            case DnsQueryStatus.Drop:
                return DnsAnswer.Dropped;
            case DnsQueryStatus.NotImplemented:
                return Error(in q, default, DnsResponseCode.NotImp, options, response);
            case DnsQueryStatus.FormatError:
                return Error(in q, default, DnsResponseCode.FormErr, options, response);
            case DnsQueryStatus.FormatErrorAfterQuestion:
                return Error(in q, name[..q.NameLength], DnsResponseCode.FormErr, options, response);
        }

        var questionName = name[..q.NameLength];
        Span<byte> lower = stackalloc byte[DnsConstants.MaxNameLength];
        var lowerName = lower[..q.NameLength];
        questionName.CopyTo(lowerName);
        DnsName.ToLower(lowerName);

        if (q.HasOpt && q.EdnsVersion != 0)
            return Error(in q, questionName, DnsResponseCode.BadVers, options, response, withOpt: true);
        if (q.Type == DnsConstants.TypeOpt)
            return Error(in q, questionName, DnsResponseCode.FormErr, options, response);
        // Zone transfers are not offered, and a forwarder cannot relay their multi-message answers.
        if (q.Type is DnsConstants.TypeAxfr or DnsConstants.TypeIxfr)
            return Error(in q, questionName, DnsResponseCode.Refused, options, response, withOpt: q.HasOpt);

        if (!DnsName.TrySplitZone(lowerName, options.Zone, out var relativeLength))
        {
            return options.Forwarding
                ? DnsAnswer.Forwarded
                : Error(in q, questionName, DnsResponseCode.Refused, options, response, withOpt: q.HasOpt);
        }

        if (q.Class is not (DnsConstants.ClassIn or DnsConstants.ClassAny))
            return Error(in q, questionName, DnsResponseCode.Refused, options, response, withOpt: q.HasOpt);
        if (q.Type is DnsConstants.TypeMailA or DnsConstants.TypeMailB)
            return Error(in q, questionName, DnsResponseCode.NotImp, options, response, withOpt: q.HasOpt);
        // ANY over UDP is the classic amplifier (every RRset of a name for a 40-byte query): the answer is
        // truncated, so a real client asks again over TCP, where its address is proven (RFC 8482 4.4).
        if (q.Type == DnsConstants.TypeAny && transport == DnsTransport.Udp)
            return Error(in q, questionName, DnsResponseCode.NoError, options, response, withOpt: q.HasOpt, extraFlags: DnsConstants.FlagAa | DnsConstants.FlagTc);

        var index = ZoneIndex.For(state, options);
        var node = index.Find(lowerName[..relativeLength]);
        return Authoritative(in q, questionName, lowerName, relativeLength == 0, node, index, response, Limit(in q, options, transport, response));
    }

    private static DnsAnswer Authoritative(in DnsQuery q, ReadOnlySpan<byte> questionName, ReadOnlySpan<byte> owner, bool apex, ZoneNode? node, ZoneIndex index, Span<byte> response, int limit)
    {
        var options = index.Options;
        var writer = new DnsMessageWriter(response, limit, stackalloc ushort[CompressionTableSize], stackalloc int[CompressionTableSize]);
        var flags1 = (byte)(DnsConstants.FlagQr | DnsConstants.FlagAa | (q.Flags1 & DnsConstants.FlagRd));
        var rcode = node is null ? DnsResponseCode.NxDomain : DnsResponseCode.NoError;
        writer.TryWriteHeader(q.Id, flags1, Flags2(in q, options, rcode));
        writer.TryWriteQuestion(questionName, q.Type, q.Class);
        if (q.HasOpt)
            writer.Limit = limit - DnsConstants.OptRecordLength;
        var afterQuestion = writer.Save();

        int answers = 0, authority = 0, additional = 0;
        var complete = true;
        if (node is not null)
            complete = WriteAnswers(ref writer, in q, owner, apex, node, index, ref answers, ref additional);
        if (complete && answers == 0)
        {
            // NXDOMAIN or NODATA: the SOA lets the client cache the negative answer for its MINIMUM (RFC 2308).
            complete = WriteSoa(ref writer, options.Zone, index);
            authority = complete ? 1 : 0;
        }

        if (!complete)
        {
            // RFC 2181 9: a partial RRset is worse than none; the client retries over TCP.
            writer.Restore(afterQuestion);
            answers = authority = additional = 0;
            flags1 |= DnsConstants.FlagTc;
            writer.SetFlags(flags1, Flags2(in q, options, rcode));
        }

        writer.Limit = limit;
        if (q.HasOpt && writer.TryWriteOpt(options.MaxUdpPayload, 0, q.DnssecOk))
            additional++;
        writer.SetCounts(1, answers, authority, additional);
        return new DnsAnswer(DnsAnswerAction.Respond, writer.Position, rcode, !complete);
    }

    /// <summary>
    /// The records of <paramref name="node"/> for the question's type, then their additional records.
    /// False when an answer record did not fit; additional records that do not fit are left out without
    /// truncation (RFC 2181 9).
    /// </summary>
    private static bool WriteAnswers(ref DnsMessageWriter writer, in DnsQuery q, ReadOnlySpan<byte> owner, bool apex, ZoneNode node, ZoneIndex index, ref int answers, ref int additional)
    {
        var options = index.Options;
        var ttl = options.Ttl;
        var any = q.Type == DnsConstants.TypeAny;
        // Start multi-record answers at a different record per query id: clients that take the first
        // address spread over the instances.
        var rotation = q.Id;
        var wroteNs = false;
        var srvWritten = 0;

        if (apex && (any || q.Type == DnsConstants.TypeSoa))
        {
            if (!WriteSoa(ref writer, owner, index))
                return false;
            answers++;
        }

        if (apex && (any || q.Type == DnsConstants.TypeNs))
        {
            if (!writer.TryWriteNs(owner, ttl, options.NameServer))
                return false;
            answers++;
            wroteNs = true;
        }

        if (any || q.Type == DnsConstants.TypeA)
        {
            if (!WriteAddresses(ref writer, owner, ttl, node.V4, rotation, ref answers))
                return false;
        }

        if (any || q.Type == DnsConstants.TypeAaaa)
        {
            if (!WriteAddresses(ref writer, owner, ttl, node.V6, rotation, ref answers))
                return false;
        }

        if (any || q.Type == DnsConstants.TypeSrv)
        {
            var records = node.Srv;
            for (var k = 0; k < records.Length; k++)
            {
                var srv = records[(rotation + k) % records.Length];
                if (!writer.TryWriteSrv(owner, ttl, 0, 0, srv.Port, srv.Target))
                    return false;
                answers++;
            }

            srvWritten = records.Length;
        }

        // Additional section: best effort from here on.
        for (var k = 0; k < srvWritten; k++)
        {
            var srv = node.Srv[(rotation + k) % srvWritten];
            if (!WriteAddresses(ref writer, srv.Target, ttl, srv.TargetNode.V4, 0, ref additional)
                || !WriteAddresses(ref writer, srv.Target, ttl, srv.TargetNode.V6, 0, ref additional))
            {
                return true;
            }
        }

        if (wroteNs)
        {
            _ = WriteAddresses(ref writer, options.NameServer, ttl, index.NameServer.V4, 0, ref additional)
                && WriteAddresses(ref writer, options.NameServer, ttl, index.NameServer.V6, 0, ref additional);
        }

        return true;
    }

    private static bool WriteAddresses(ref DnsMessageWriter writer, ReadOnlySpan<byte> owner, uint ttl, byte[][] addresses, int rotation, ref int count)
    {
        for (var k = 0; k < addresses.Length; k++)
        {
            if (!writer.TryWriteAddress(owner, ttl, addresses[(rotation + k) % addresses.Length]))
                return false;
            count++;
        }

        return true;
    }

    private static bool WriteSoa(ref DnsMessageWriter writer, ReadOnlySpan<byte> owner, ZoneIndex index)
    {
        var options = index.Options;
        return writer.TryWriteSoa(owner, options.Ttl, options.NameServer, options.Hostmaster, index.Serial, SoaRefresh, SoaRetry, SoaExpire, options.Ttl);
    }

    /// <summary>
    /// The largest response for this query: any size over TCP; over UDP 512 bytes without EDNS0, else the
    /// client's payload size, at least 512 and at most what the server advertises (RFC 6891 6.2.5).
    /// </summary>
    private static int Limit(in DnsQuery q, CompiledOptions options, DnsTransport transport, Span<byte> response)
    {
        var limit = transport == DnsTransport.Tcp
            ? DnsConstants.MaxMessageLength
            : q.HasOpt ? Math.Clamp((int)q.UdpPayload, DnsConstants.ClassicUdpLimit, options.MaxUdpPayload) : DnsConstants.ClassicUdpLimit;
        return Math.Min(limit, response.Length);
    }

    private static byte Flags2(in DnsQuery q, CompiledOptions options, DnsResponseCode rcode) =>
        (byte)((options.Forwarding ? DnsConstants.FlagRa : 0) | (q.Flags2 & DnsConstants.FlagCd) | ((int)rcode & DnsConstants.RcodeMask));

    /// <summary>
    /// A response with no records: the header (id, opcode and RD of the query, and <paramref name="extraFlags"/>),
    /// the question when given, and with <paramref name="withOpt"/> an OPT record (carrying the upper bits of an
    /// extended RCODE).
    /// </summary>
    private static DnsAnswer Error(in DnsQuery q, ReadOnlySpan<byte> questionName, DnsResponseCode rcode, CompiledOptions options, Span<byte> response, bool withOpt = false, byte extraFlags = 0)
    {
        var writer = new DnsMessageWriter(response, DnsConstants.ClassicUdpLimit, stackalloc ushort[8], stackalloc int[8]);
        var flags1 = (byte)(DnsConstants.FlagQr | extraFlags | (q.Flags1 & (DnsConstants.OpcodeMask | DnsConstants.FlagRd)));
        writer.TryWriteHeader(q.Id, flags1, Flags2(in q, options, rcode));
        var questions = 0;
        if (!questionName.IsEmpty && writer.TryWriteQuestion(questionName, q.Type, q.Class))
            questions = 1;
        var additional = 0;
        if (withOpt && writer.TryWriteOpt(options.MaxUdpPayload, (byte)((int)rcode >> 4), q.DnssecOk))
            additional = 1;
        writer.SetCounts(questions, 0, 0, additional);
        return new DnsAnswer(DnsAnswerAction.Respond, writer.Position, rcode, (flags1 & DnsConstants.FlagTc) != 0);
    }

    /// <summary>SERVFAIL for a query that could not be answered (an internal error, or no upstream answered).</summary>
    internal static DnsAnswer Failure(ReadOnlySpan<byte> query, CompiledOptions options, Span<byte> response)
    {
        Span<byte> name = stackalloc byte[DnsConstants.MaxNameLength];
        var status = DnsQuery.Parse(query, name, out var q);
        return status switch
        {
            DnsQueryStatus.Drop => DnsAnswer.Dropped,
            DnsQueryStatus.Ok => Error(in q, name[..q.NameLength], DnsResponseCode.ServFail, options, response, withOpt: q.HasOpt),
            _ => Error(in q, default, DnsResponseCode.ServFail, options, response),
        };
    }

    /// <summary>
    /// The answer to a rate-limited query that slips: header and question with TC and no records (OPT kept
    /// when the query had one), so it is no larger than the query, and a real client retries over TCP. A
    /// query that does not parse gets nothing: slipping is for clients that can retry.
    /// </summary>
    internal static DnsAnswer Slip(ReadOnlySpan<byte> query, CompiledOptions options, Span<byte> response)
    {
        Span<byte> name = stackalloc byte[DnsConstants.MaxNameLength];
        return DnsQuery.Parse(query, name, out var q) == DnsQueryStatus.Ok
            ? Error(in q, name[..q.NameLength], DnsResponseCode.NoError, options, response, withOpt: q.HasOpt, extraFlags: DnsConstants.FlagTc)
            : DnsAnswer.Dropped;
    }

    /// <summary>
    /// Fits an upstream's response to the client: over UDP, one larger than the client accepts (possible
    /// after the forwarder fell back to TCP) becomes header and question with TC set, so the client comes
    /// back over TCP. Returns the length written to <paramref name="destination"/> (over TCP at least 65535 bytes; over UDP
    /// at least 512, and an answer longer than it is cut like one longer than the client accepts).
    /// </summary>
    internal static int FitForwarded(ReadOnlySpan<byte> query, ReadOnlySpan<byte> upstream, DnsTransport transport, CompiledOptions options, Span<byte> destination)
    {
        Span<byte> name = stackalloc byte[DnsConstants.MaxNameLength];
        var status = DnsQuery.Parse(query, name, out var q);
        var limit = status == DnsQueryStatus.Ok ? Limit(in q, options, transport, destination) : DnsConstants.ClassicUdpLimit;
        if (upstream.Length <= limit || transport == DnsTransport.Tcp)
        {
            upstream.CopyTo(destination);
            return upstream.Length;
        }

        var writer = new DnsMessageWriter(destination, DnsConstants.ClassicUdpLimit, stackalloc ushort[8], stackalloc int[8]);
        writer.TryWriteHeader(q.Id, (byte)(upstream[2] | DnsConstants.FlagTc), upstream[3]);
        var questions = status == DnsQueryStatus.Ok && writer.TryWriteQuestion(name[..q.NameLength], q.Type, q.Class) ? 1 : 0;
        writer.SetCounts(questions, 0, 0, 0);
        return writer.Position;
    }
}
