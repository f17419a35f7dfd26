using System.Net;
using System.Net.Sockets;
using Dokkaa.Core.Etcd;

namespace Dokkaa.Etcd;

/// <summary>
/// Opens the TCP connections of the HTTP handler: with a connect timeout of its own, so a member that
/// does not answer SYNs is reported as a connection failure (a request that was certainly not sent, safe
/// to retry anywhere), and with TCP keepalive, so an idle watch notices a peer that vanished.
/// </summary>
internal static class EtcdConnector
{
    public static SocketsHttpHandler CreateHandler(EtcdClientOptions options) => new()
    {
        ConnectCallback = (context, cancellationToken) => ConnectAsync(context.DnsEndPoint, options, cancellationToken),
        // Members come and go (restarts, DNS changes): do not keep a connection for ever.
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60),
        UseProxy = false,
        AutomaticDecompression = DecompressionMethods.None,
    };

    private static async ValueTask<Stream> ConnectAsync(DnsEndPoint endPoint, EtcdClientOptions options, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.ConnectTimeout);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            if (options.TcpKeepAliveTime > TimeSpan.Zero)
            {
                socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
                socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime, Seconds(options.TcpKeepAliveTime));
                socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveInterval, Seconds(options.TcpKeepAliveInterval));
                socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveRetryCount, Math.Max(1, options.TcpKeepAliveRetryCount));
            }

            await socket.ConnectAsync(endPoint, timeout.Token).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            // A SocketException makes HttpClient report HttpRequestError.ConnectionError: "never sent".
            throw new SocketException((int)SocketError.TimedOut);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static int Seconds(TimeSpan span) => Math.Max(1, (int)Math.Ceiling(span.TotalSeconds));
}
