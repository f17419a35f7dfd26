namespace Dokkaa.Agent.Docker;

/// <summary>
/// A DOCKER_HOST-style endpoint (<c>unix:///var/run/docker.sock</c>, <c>tcp://host:2375</c>), checked and
/// turned into the URI Docker.DotNet dials. Other forms (npipe, ssh, TLS) are refused with a clear message.
/// </summary>
internal sealed record DockerEndpoint(string Name, Uri Uri, string? SocketPath)
{
    /// <summary>The Engine API version every request names: Docker 20.10's, the oldest daemon Dokkaa supports.</summary>
    public static readonly Version ApiVersion = new(1, 41);

    public static DockerEndpoint Parse(string endpoint)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(endpoint);
        if (endpoint.StartsWith("unix://", StringComparison.Ordinal))
        {
            var path = endpoint["unix://".Length..];
            if (!path.StartsWith('/'))
                throw new ArgumentException($"Docker endpoint '{endpoint}': a unix socket needs an absolute path, e.g. unix:///var/run/docker.sock.", nameof(endpoint));
            return new DockerEndpoint(endpoint, new Uri(endpoint), path);
        }

        if (endpoint.StartsWith("tcp://", StringComparison.Ordinal) || endpoint.StartsWith("http://", StringComparison.Ordinal))
        {
            var uri = new Uri(endpoint);
            // tcp:// without a port means the daemon's plain-TCP port 2375, as for the docker CLI.
            // TLS (2376, DOCKER_TLS_VERIFY) is not supported here.
            var port = uri.Port > 0 ? uri.Port : 2375;
            if (!string.IsNullOrEmpty(uri.AbsolutePath.Trim('/')))
                throw new ArgumentException($"Docker endpoint '{endpoint}' must not have a path.", nameof(endpoint));
            return new DockerEndpoint(endpoint, new Uri($"http://{uri.Host}:{port}/"), null);
        }

        throw new ArgumentException($"Docker endpoint '{endpoint}' is not supported: use unix:///path/docker.sock or tcp://host:port.", nameof(endpoint));
    }
}
