using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Dokkaa.Agent.Tests.Http;

/// <summary>
/// A small HTTP/1.1 server on loopback standing in for a container: keep-alive, answers every request
/// with its name and the forwarding headers it received, and switches to a byte echo after a WebSocket
/// upgrade. <see cref="Kill"/> behaves like a process that dies: the port refuses and open connections are reset.
/// </summary>
internal sealed class TestHttpBackend : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly ConcurrentDictionary<Socket, byte> _connections = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly TimeSpan _delay;
    private int _requests;

    private TestHttpBackend(string name, TimeSpan delay, int port)
    {
        Name = name;
        _delay = delay;
        _listener = new TcpListener(IPAddress.Loopback, port);
        _listener.Start(512);
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _ = AcceptAsync();
    }

    public string Name { get; }

    public int Port { get; }

    public int Requests => Volatile.Read(ref _requests);

    /// <param name="port">0 for any free port.</param>
    public static TestHttpBackend Start(string name, TimeSpan delay = default, int port = 0) => new(name, delay, port);

    /// <summary>Dies: the listener closes and every open connection is reset (RST).</summary>
    public void Kill()
    {
        _stop.Cancel();
        _listener.Stop();
        foreach (var socket in _connections.Keys)
        {
            try
            {
                socket.LingerState = new LingerOption(true, 0);
                socket.Close();
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        _stop.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            socket.NoDelay = true;
            _connections[socket] = 0;
            _ = ServeAsync(socket);
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        var buffer = new byte[16 * 1024];
        var filled = 0;
        try
        {
            while (true)
            {
                int end;
                while ((end = IndexOfHeaderEnd(buffer, filled)) < 0)
                {
                    var read = await socket.ReceiveAsync(buffer.AsMemory(filled), _stop.Token);
                    if (read == 0)
                        return;
                    filled += read;
                }

                var head = Encoding.ASCII.GetString(buffer, 0, end);
                var lines = head.Split("\r\n");
                var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                foreach (var line in lines.Skip(1))
                {
                    var colon = line.IndexOf(':');
                    if (colon > 0)
                        headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
                }

                var consumed = end + 4;
                var length = headers.TryGetValue("Content-Length", out var cl) ? int.Parse(cl) : 0;
                while (filled < consumed + length)
                {
                    var read = await socket.ReceiveAsync(buffer.AsMemory(filled), _stop.Token);
                    if (read == 0)
                        return;
                    filled += read;
                }

                consumed += length;
                Buffer.BlockCopy(buffer, consumed, buffer, 0, filled - consumed);
                filled -= consumed;

                if (headers.TryGetValue("Upgrade", out var upgrade) && upgrade.Equals("websocket", StringComparison.OrdinalIgnoreCase))
                {
                    await EchoWebSocketAsync(socket, headers, buffer, filled);
                    return;
                }

                if (_delay > TimeSpan.Zero)
                    await Task.Delay(_delay, _stop.Token);
                Interlocked.Increment(ref _requests);
                var close = headers.TryGetValue("Connection", out var connection) && connection.Equals("close", StringComparison.OrdinalIgnoreCase);
                var body = $"{Name}\nhost={Header(headers, "Host")}\nxff={Header(headers, "X-Forwarded-For")}\nproto={Header(headers, "X-Forwarded-Proto")}\nreal-ip={Header(headers, "X-Real-IP")}\n";
                var response = $"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\n{(close ? "Connection: close\r\n" : "")}\r\n{body}";
                await socket.SendAsync(Encoding.UTF8.GetBytes(response), _stop.Token);
                if (close)
                    return;
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }
        finally
        {
            _connections.TryRemove(socket, out _);
            socket.Dispose();
        }
    }

    private async Task EchoWebSocketAsync(Socket socket, Dictionary<string, string> headers, byte[] buffer, int filled)
    {
        if (!Header(headers, "Connection").Contains("upgrade", StringComparison.OrdinalIgnoreCase))
        {
            await socket.SendAsync(Encoding.ASCII.GetBytes("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"), _stop.Token);
            return;
        }

        await socket.SendAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nX-Backend: {Name}\r\n\r\n"), _stop.Token);
        if (filled > 0)
            await socket.SendAsync(buffer.AsMemory(0, filled), _stop.Token);
        int read;
        while ((read = await socket.ReceiveAsync(buffer, _stop.Token)) > 0)
            await socket.SendAsync(buffer.AsMemory(0, read), _stop.Token);
    }

    private static string Header(Dictionary<string, string> headers, string name) => headers.TryGetValue(name, out var value) ? value : "";

    private static int IndexOfHeaderEnd(byte[] buffer, int filled) => buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8);
}
