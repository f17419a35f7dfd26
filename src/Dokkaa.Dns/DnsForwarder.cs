using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Dokkaa.Dns.Wire;

namespace Dokkaa.Dns;

/// <summary>
/// Sends queries for names outside the zone to the configured upstreams: UDP first, TCP when the UDP
/// answer is truncated, the next upstream when one does not answer in time. Each query goes out from a
/// fresh socket (a random source port) with a random id, and only a response with that id and the same
/// question is accepted, so that off-path spoofing is as hard as against any stub resolver.
/// </summary>
internal sealed class DnsForwarder
{
    private readonly IReadOnlyList<IPEndPoint> _upstreams;
    private readonly TimeSpan _timeout;

    public DnsForwarder(IReadOnlyList<IPEndPoint> upstreams, TimeSpan timeout)
    {
        _upstreams = upstreams;
        _timeout = timeout;
    }

    /// <summary>The upstream's response with the client's id restored, or null when no upstream answered.</summary>
    public async Task<byte[]?> ForwardAsync(ReadOnlyMemory<byte> query, CancellationToken cancellationToken)
    {
        if (query.Length < DnsConstants.HeaderLength)
            return null;
        var clientId = BinaryPrimitives.ReadUInt16BigEndian(query.Span);
        var outgoing = query.ToArray();
        foreach (var upstream in _upstreams)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var id = (ushort)RandomNumberGenerator.GetInt32(0x10000);
            BinaryPrimitives.WriteUInt16BigEndian(outgoing, id);
            byte[]? response;
            try
            {
                response = await ExchangeUdpAsync(upstream, outgoing, id, cancellationToken).ConfigureAwait(false);
                if (response is not null && (response[2] & DnsConstants.FlagTc) != 0)
                    response = await ExchangeTcpAsync(upstream, outgoing, id, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or IOException && !cancellationToken.IsCancellationRequested)
            {
                response = null;
            }

            if (response is null)
                continue;
            BinaryPrimitives.WriteUInt16BigEndian(response, clientId);
            return response;
        }

        return null;
    }

    private async Task<byte[]?> ExchangeUdpAsync(IPEndPoint upstream, byte[] query, ushort id, CancellationToken cancellationToken)
    {
        using var socket = new Socket(upstream.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timeout);
        // Connected: the kernel drops datagrams from any other address.
        await socket.ConnectAsync(upstream, timeout.Token).ConfigureAwait(false);
        await socket.SendAsync(query, SocketFlags.None, timeout.Token).ConfigureAwait(false);
        var buffer = ArrayPool<byte>.Shared.Rent(DnsConstants.MaxMessageLength);
        try
        {
            while (true)
            {
                var received = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token).ConfigureAwait(false);
                if (Matches(query, buffer.AsSpan(0, received), id))
                    return buffer.AsSpan(0, received).ToArray();
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task<byte[]?> ExchangeTcpAsync(IPEndPoint upstream, byte[] query, ushort id, CancellationToken cancellationToken)
    {
        using var socket = new Socket(upstream.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timeout);
        await socket.ConnectAsync(upstream, timeout.Token).ConfigureAwait(false);
        var framed = new byte[2 + query.Length];
        BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)query.Length);
        query.CopyTo(framed, 2);
        await DnsServer.SendAllAsync(socket, framed, timeout.Token).ConfigureAwait(false);
        var prefix = new byte[2];
        if (!await DnsServer.ReceiveExactlyAsync(socket, prefix, timeout.Token).ConfigureAwait(false))
            return null;
        var response = new byte[BinaryPrimitives.ReadUInt16BigEndian(prefix)];
        if (!await DnsServer.ReceiveExactlyAsync(socket, response, timeout.Token).ConfigureAwait(false))
            return null;
        return Matches(query, response, id) ? response : null;
    }

    /// <summary>A response (QR) with our id and the question we asked (names compared without case).</summary>
    private static bool Matches(ReadOnlySpan<byte> query, ReadOnlySpan<byte> response, ushort id)
    {
        if (response.Length < DnsConstants.HeaderLength || BinaryPrimitives.ReadUInt16BigEndian(response) != id
            || (response[2] & DnsConstants.FlagQr) == 0 || BinaryPrimitives.ReadUInt16BigEndian(response[4..]) != 1)
        {
            return false;
        }

        Span<byte> asked = stackalloc byte[DnsConstants.MaxNameLength];
        Span<byte> answered = stackalloc byte[DnsConstants.MaxNameLength];
        if (!DnsName.TryRead(query, DnsConstants.HeaderLength, asked, lowercase: true, out var askedLength, out var askedEnd)
            || !DnsName.TryRead(response, DnsConstants.HeaderLength, answered, lowercase: true, out var answeredLength, out var answeredEnd)
            || askedEnd + 4 > query.Length || answeredEnd + 4 > response.Length)
        {
            return false;
        }

        return asked[..askedLength].SequenceEqual(answered[..answeredLength])
            && query.Slice(askedEnd, 4).SequenceEqual(response.Slice(answeredEnd, 4));
    }
}
