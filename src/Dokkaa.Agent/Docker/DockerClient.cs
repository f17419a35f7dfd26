using System.Text.Json;
using Docker.DotNet;
using Docker.DotNet.NativeHttp;
using EngineClient = Docker.DotNet.DockerClient;

namespace Dokkaa.Agent.Docker;

/// <summary>
/// <see cref="IDockerClient"/> over Docker.DotNet (Docker.DotNet.Enhanced), pinned to Engine API v1.41, on a
/// unix socket or plain TCP. Built with <see cref="FromEndpoint"/>, the one place a Docker client is made.
/// Thread-safe; one instance per daemon is enough.
/// </summary>
/// <remarks>
/// The library's exceptions become Dokkaa's (see <see cref="DockerFailures"/>), and every call has its own
/// deadline from <see cref="DockerClientOptions"/> (the library's single timeout cannot tell a stop, a pull
/// and the event stream apart). The operations live in the other DockerClient.*.cs files, one group of routes each.
/// </remarks>
public sealed partial class DockerClient : IDockerClient
{
    public const string DefaultEndpoint = "unix:///var/run/docker.sock";

    private readonly EngineClient _engine;
    private readonly DockerEndpoint _endpoint;
    private readonly DockerClientOptions _options;

    internal DockerClient(EngineClient engine, DockerEndpoint endpoint, DockerClientOptions options)
    {
        _engine = engine;
        _endpoint = endpoint;
        _options = options;
    }

    /// <summary>The endpoint this client talks to, as given.</summary>
    public string Endpoint => _endpoint.Name;

    /// <summary>
    /// A client for <c>unix:///path/docker.sock</c> or <c>tcp://host:port</c> (plain TCP, no TLS).
    /// Nothing is dialled until the first call.
    /// </summary>
    /// <exception cref="ArgumentException">The endpoint is not one of those forms.</exception>
    public static DockerClient FromEndpoint(string endpoint = DefaultEndpoint, DockerClientOptions? options = null) =>
        Create(DockerEndpoint.Parse(endpoint), options ?? DockerClientOptions.Default, DockerEndpoint.ApiVersion);

    /// <summary>A client for <c>$DOCKER_HOST</c> when it is set, else for <see cref="DefaultEndpoint"/>, as the docker CLI does.</summary>
    public static DockerClient FromEnvironment(DockerClientOptions? options = null)
    {
        var endpoint = Environment.GetEnvironmentVariable("DOCKER_HOST");
        return FromEndpoint(string.IsNullOrWhiteSpace(endpoint) ? DefaultEndpoint : endpoint, options);
    }

    /// <summary>A client that names <paramref name="apiVersion"/> in its requests (tests ask for a newer one than the daemon's).</summary>
    internal static DockerClient Create(DockerEndpoint endpoint, DockerClientOptions options, Version apiVersion)
    {
        var engine = new DockerClientBuilder()
            .WithEndpoint(endpoint.Uri)
            .WithApiVersion(apiVersion)
            // Deadlines are per call (CallAsync): the event stream must be able to stay open for days.
            .WithTimeout(Timeout.InfiniteTimeSpan)
            // SocketsHttpHandler, for unix sockets and TCP alike.
            .WithTransportOptions(new NativeHttpTransportOptions { ConfigureHandler = Configure })
            .Build();
        return new DockerClient(engine, endpoint, options);
    }

    public Task PingAsync(CancellationToken cancellationToken = default) =>
        CallAsync("GET /_ping", _options.RequestTimeout, (engine, token) => engine.System.PingAsync(token), cancellationToken);

    public void Dispose() => _engine.Dispose();

    /// <summary>
    /// Runs one library call under its own deadline and translates what it throws. <paramref name="notFound"/>
    /// is what a 404 means for this call; the caller's cancellation stays an <see cref="OperationCanceledException"/>.
    /// </summary>
    private async Task<T> CallAsync<T>(string what, TimeSpan timeout, Func<EngineClient, CancellationToken, Task<T>> call, CancellationToken cancellationToken, string? notFound = null)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            return await call(_engine, deadline.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (Translate(e, what, timeout, cancellationToken, notFound) is { } translated)
        {
            throw translated;
        }
    }

    private Task CallAsync(string what, TimeSpan timeout, Func<EngineClient, CancellationToken, Task> call, CancellationToken cancellationToken, string? notFound = null) =>
        CallAsync(what, timeout, async (engine, token) =>
        {
            await call(engine, token).ConfigureAwait(false);
            return true;
        }, cancellationToken, notFound);

    // Null leaves the exception alone: the caller's own cancellation, or a bug.
    private DockerException? Translate(Exception exception, string what, TimeSpan timeout, CancellationToken callerToken, string? notFound) => exception switch
    {
        DockerApiException answer => DockerFailures.Answer(_endpoint, what, answer, notFound),
        OperationCanceledException when !callerToken.IsCancellationRequested => DockerFailures.TimedOut(_endpoint, what, timeout, exception),
        JsonException => new DockerException($"{what}: the daemon at {_endpoint.Name} sent an answer that is not JSON: {exception.Message}", 0, exception),
        _ when DockerFailures.IsConnectionFailure(exception) => DockerFailures.Unreachable(_endpoint, exception),
        _ => null,
    };

    private static void Configure(SocketsHttpHandler handler)
    {
        handler.ConnectTimeout = TimeSpan.FromSeconds(10);
        // Connections to a local daemon are cheap; do not keep idle ones around for long.
        handler.PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30);
        // An HTTP_PROXY meant for registries must not carry the Docker API of this host.
        handler.UseProxy = false;
    }
}
