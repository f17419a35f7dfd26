using System.Net.Sockets;

namespace Dokkaa.Agent.Docker;

/// <summary>
/// Turns a DOCKER_HOST-style endpoint (<c>unix:///var/run/docker.sock</c>, <c>tcp://host:2375</c>) into
/// what HttpClient needs: a handler that reaches the daemon and the base address of API v1.41.
/// </summary>
internal sealed record DockerEndpoint(string Name, Uri BaseAddress, string? SocketPath)
{
    public const string ApiVersion = "v1.41";

    public static DockerEndpoint Parse(string endpoint)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(endpoint);
        if (endpoint.StartsWith("unix://", StringComparison.Ordinal))
        {
            var path = endpoint["unix://".Length..];
            if (!path.StartsWith('/'))
                throw new ArgumentException($"Docker endpoint '{endpoint}': a unix socket needs an absolute path, e.g. unix:///var/run/docker.sock.", nameof(endpoint));
            // The host name is never resolved: the connect callback below dials the socket instead.
            return new DockerEndpoint(endpoint, new Uri($"http://docker/{ApiVersion}/"), path);
        }

        if (endpoint.StartsWith("tcp://", StringComparison.Ordinal) || endpoint.StartsWith("http://", StringComparison.Ordinal))
        {
            var uri = new Uri(endpoint);
            // tcp:// without a port means the daemon's plain-TCP port 2375, as for the docker CLI.
            // TLS (2376, DOCKER_TLS_VERIFY) is not supported here.
            var port = uri.Port > 0 ? uri.Port : 2375;
            if (!string.IsNullOrEmpty(uri.AbsolutePath.Trim('/')))
                throw new ArgumentException($"Docker endpoint '{endpoint}' must not have a path.", nameof(endpoint));
            return new DockerEndpoint(endpoint, new Uri($"http://{uri.Host}:{port}/{ApiVersion}/"), null);
        }

        throw new ArgumentException($"Docker endpoint '{endpoint}' is not supported: use unix:///path/docker.sock or tcp://host:port.", nameof(endpoint));
    }

    public HttpMessageHandler CreateHandler()
    {
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(10),
            // Connections to a local daemon are cheap; do not keep idle ones around for long.
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            UseProxy = false,
        };
        if (SocketPath is { } path)
            handler.ConnectCallback = (_, cancellationToken) => ConnectUnixAsync(path, cancellationToken);
        return handler;
    }

    private static async ValueTask<Stream> ConnectUnixAsync(string path, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch (SocketException ex) when (!File.Exists(path))
        {
            // .NET reports a missing socket file as "Cannot assign requested address"; say what is wrong.
            socket.Dispose();
            throw new IOException($"{path} does not exist", ex);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
