using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Dokkaa.Dns.Tests.Support;

/// <summary>Plain-socket DNS clients for the server tests: one UDP exchange, and TCP length framing (RFC 1035 4.2.2).</summary>
public static class TestSockets
{
    /// <summary>How long a test waits for one answer before it counts as lost.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    /// <summary>One query over UDP from a fresh socket (bound to <paramref name="source"/> when given), and its answer.</summary>
    public static async Task<TestMessage> UdpAsync(IPEndPoint server, byte[] query, IPAddress? source = null)
    {
        using var client = new Socket(server.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        if (source is not null)
            client.Bind(new IPEndPoint(source, 0));
        await client.ConnectAsync(server);
        await client.SendAsync(query);
        var buffer = new byte[65535];
        using var timeout = new CancellationTokenSource(Patience);
        var received = await client.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
        RunningServer.Check(server, buffer.AsSpan(0, received), DnsTransport.Udp, query);
        return TestMessage.Parse(buffer.AsSpan(0, received));
    }

    /// <summary>A TCP connection to <paramref name="server"/> from <paramref name="source"/> (any loopback address).</summary>
    public static async Task<Socket> ConnectTcpAsync(IPEndPoint server, IPAddress? source = null)
    {
        var client = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (source is not null)
                client.Bind(new IPEndPoint(source, 0));
            await client.ConnectAsync(server);
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    public static byte[] Frame(byte[] message)
    {
        var framed = new byte[2 + message.Length];
        BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)message.Length);
        message.CopyTo(framed, 2);
        return framed;
    }

    /// <summary>
    /// The next framed message, or null when the server closed the connection (FIN or reset) first. It is checked
    /// against the server's zone, and against <paramref name="query"/> when given.
    /// </summary>
    public static async Task<TestMessage?> ReadFramedAsync(Socket socket, byte[]? query = null) =>
        await ReadFramedBytesAsync(socket, query) is { } message ? TestMessage.Parse(message) : null;

    /// <summary>One query over a TCP connection of its own; null when the server closed the connection instead of answering.</summary>
    public static async Task<TestMessage?> TcpAsync(IPEndPoint server, byte[] query, IPAddress? source = null) =>
        await TcpBytesAsync(server, query, source) is { } message ? TestMessage.Parse(message) : null;

    /// <summary><see cref="TcpAsync"/> giving the answer's bytes (checked against the zone all the same).</summary>
    public static async Task<byte[]?> TcpBytesAsync(IPEndPoint server, byte[] query, IPAddress? source = null)
    {
        using var client = await ConnectTcpAsync(server, source);
        try
        {
            await client.SendAsync(Frame(query));
        }
        catch (SocketException)
        {
            return null;
        }

        return await ReadFramedBytesAsync(client, query);
    }

    private static async Task<byte[]?> ReadFramedBytesAsync(Socket socket, byte[]? query)
    {
        using var timeout = new CancellationTokenSource(Patience);
        var prefix = new byte[2];
        if (!await ReadExactlyAsync(socket, prefix, timeout.Token))
            return null;
        var message = new byte[BinaryPrimitives.ReadUInt16BigEndian(prefix)];
        if (!await ReadExactlyAsync(socket, message, timeout.Token))
            return null;
        RunningServer.Check(socket.RemoteEndPoint, message, DnsTransport.Tcp, query);
        return message;
    }

    private static async Task<bool> ReadExactlyAsync(Socket socket, Memory<byte> buffer, CancellationToken token)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            int n;
            try
            {
                n = await socket.ReceiveAsync(buffer[read..], SocketFlags.None, token);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
            {
                return false;
            }

            if (n == 0)
                return false;
            read += n;
        }

        return true;
    }
}
