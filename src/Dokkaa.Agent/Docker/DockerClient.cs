namespace Dokkaa.Agent.Docker;

/// <summary>
/// <see cref="IDockerClient"/> over the Docker Engine API v1.41 with HttpClient, on a unix socket or plain TCP.
/// Built with <see cref="FromEndpoint"/>. Thread-safe; one instance per daemon is enough.
/// </summary>
/// <remarks>The operations live in the other DockerClient.*.cs files, one group of API routes each.</remarks>
public sealed partial class DockerClient : IDockerClient
{
    public const string DefaultEndpoint = "unix:///var/run/docker.sock";

    private readonly DockerTransport _transport;
    private readonly DockerClientOptions _options;

    internal DockerClient(DockerTransport transport, DockerClientOptions options)
    {
        _transport = transport;
        _options = options;
    }

    /// <summary>The endpoint this client talks to, as given.</summary>
    public string Endpoint => _transport.Endpoint;

    /// <summary>
    /// A client for <c>unix:///path/docker.sock</c> or <c>tcp://host:port</c> (plain TCP, no TLS).
    /// Nothing is dialled until the first call.
    /// </summary>
    /// <exception cref="ArgumentException">The endpoint is not one of those forms.</exception>
    public static DockerClient FromEndpoint(string endpoint = DefaultEndpoint, DockerClientOptions? options = null)
    {
        var parsed = DockerEndpoint.Parse(endpoint);
        return new DockerClient(new DockerTransport(parsed.CreateHandler(), parsed.BaseAddress, parsed.Name), options ?? DockerClientOptions.Default);
    }

    /// <summary>A client for <c>$DOCKER_HOST</c> when it is set, else for <see cref="DefaultEndpoint"/>, as the docker CLI does.</summary>
    public static DockerClient FromEnvironment(DockerClientOptions? options = null)
    {
        var endpoint = Environment.GetEnvironmentVariable("DOCKER_HOST");
        return FromEndpoint(string.IsNullOrWhiteSpace(endpoint) ? DefaultEndpoint : endpoint, options);
    }

    public async Task PingAsync(CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(HttpMethod.Get, "_ping", cancellationToken).ConfigureAwait(false);
        await response.ThrowIfFailedAsync().ConfigureAwait(false);
    }

    public void Dispose() => _transport.Dispose();

    private Task<DockerResponse> SendAsync(HttpMethod method, string pathAndQuery, CancellationToken cancellationToken) =>
        _transport.SendAsync(method, pathAndQuery, null, _options.RequestTimeout, cancellationToken);
}
