using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Dokkaa.Dns.Tests.Support;

/// <summary>
/// A resolver for forwarding tests, on a loopback port of its own (test traffic never leaves loopback).
/// It answers every question with one A record, <see cref="Address"/>; it can truncate its UDP answers
/// (to make the forwarder fall back to TCP) or never answer at all (a dead upstream).
/// </summary>
public sealed class StubUpstream : IAsyncDisposable
{
    public static readonly IPAddress Address = IPAddress.Parse("203.0.113.7");

    private readonly Socket _udp;
    private readonly Socket _tcp;
    private readonly bool _truncateUdp;
    private readonly bool _silent;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _udpLoop;
    private readonly Task _tcpLoop;
    private int _udpQueries;
    private int _tcpQueries;

    private StubUpstream(bool truncateUdp, bool silent)
    {
        _truncateUdp = truncateUdp;
        _silent = silent;
        (_udp, _tcp) = BindPair();
        _udpLoop = Task.Run(UdpLoopAsync);
        _tcpLoop = Task.Run(TcpLoopAsync);
    }

    public IPEndPoint EndPoint => (IPEndPoint)_udp.LocalEndPoint!;

    public int UdpQueries => Volatile.Read(ref _udpQueries);

    public int TcpQueries => Volatile.Read(ref _tcpQueries);

    public static StubUpstream Start(bool truncateUdp = false, bool silent = false) => new(truncateUdp, silent);

    private static (Socket, Socket) BindPair()
    {
        for (var attempt = 0; ; attempt++)
        {
            var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            udp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                tcp.Bind(new IPEndPoint(IPAddress.Loopback, ((IPEndPoint)udp.LocalEndPoint!).Port));
                tcp.Listen(16);
                return (udp, tcp);
            }
            catch (SocketException) when (attempt < 20)
            {
                udp.Dispose();
                tcp.Dispose();
            }
        }
    }

    private async Task UdpLoopAsync()
    {
        var buffer = new byte[65535];
        var from = new IPEndPoint(IPAddress.Any, 0);
        while (!_stop.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await _udp.ReceiveFromAsync(buffer, SocketFlags.None, from, _stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            Interlocked.Increment(ref _udpQueries);
            if (_silent)
                continue;
            var response = Respond(buffer.AsSpan(0, received.ReceivedBytes), _truncateUdp);
            await _udp.SendToAsync(response, SocketFlags.None, received.RemoteEndPoint);
        }
    }

    private async Task TcpLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _tcp.AcceptAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            using (client)
            {
                try
                {
                    var prefix = new byte[2];
                    await client.ReceiveAsync(prefix, SocketFlags.None);
                    var query = new byte[BinaryPrimitives.ReadUInt16BigEndian(prefix)];
                    var read = 0;
                    while (read < query.Length)
                        read += await client.ReceiveAsync(query.AsMemory(read), SocketFlags.None);
                    Interlocked.Increment(ref _tcpQueries);
                    if (_silent)
                        continue;
                    var response = Respond(query, truncate: false);
                    var framed = new byte[2 + response.Length];
                    BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)response.Length);
                    response.CopyTo(framed, 2);
                    await client.SendAsync(framed, SocketFlags.None);
                }
                catch (SocketException)
                {
                }
            }
        }
    }

    /// <summary>Header and question of the query (its OPT dropped), and the A record unless truncating.</summary>
    private static byte[] Respond(ReadOnlySpan<byte> query, bool truncate)
    {
        var end = 12;
        while (query[end] != 0)
            end += 1 + query[end];
        end += 1 + 4;
        var response = new List<byte>(query[..end].ToArray());
        response[2] = (byte)(0x80 | (query[2] & 0x01) | (truncate ? 0x02 : 0));
        response[3] = 0x80;
        response[6] = 0;
        response[7] = (byte)(truncate ? 0 : 1);
        response[8] = response[9] = response[10] = response[11] = 0;
        if (!truncate)
            response.AddRange([0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, .. Address.GetAddressBytes()]);
        return response.ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _udp.Dispose();
        _tcp.Dispose();
        await Task.WhenAll(_udpLoop, _tcpLoop);
        _stop.Dispose();
    }
}
