using System.Net;
using System.Text;
using Docker.DotNet;
using Docker.DotNet.Handler.Abstractions;
using Dokkaa.Agent.Docker;
using Microsoft.Extensions.Logging;
using DockerClient = Dokkaa.Agent.Docker.DockerClient;

namespace Dokkaa.Agent.Tests.Docker;

/// <summary>
/// A daemon stand-in for answers the real one gives only in situations a test cannot arrange
/// (an error halfway through a pull, a daemon that hangs), put under Docker.DotNet as its transport
/// so the adapter and the library are both the real ones. Records what was asked.
/// </summary>
internal sealed class StubDockerHandler : HttpMessageHandler
{
    private readonly Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> _answer;

    public StubDockerHandler(Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> answer) => _answer = answer;

    public StubDockerHandler(HttpStatusCode status, string body)
        : this((_, _) => Task.FromResult(Answer(status, body)))
    {
    }

    public List<string> Requests { get; } = [];

    public static HttpResponseMessage Answer(HttpStatusCode status, string body) =>
        new(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };

    public DockerClient Client(DockerClientOptions? options = null)
    {
        var endpoint = new DockerEndpoint("stub://docker", new Uri("http://docker/"), null);
        var engine = new DockerClientBuilder()
            .WithEndpoint(endpoint.Uri)
            .WithApiVersion(DockerEndpoint.ApiVersion)
            .WithTimeout(Timeout.InfiniteTimeSpan)
            .WithTransportOptions(new Factory(), this)
            .Build();
        return new DockerClient(engine, endpoint, options ?? DockerClientOptions.Default);
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Requests.Add($"{request.Method} {request.RequestUri!.PathAndQuery}");
        return _answer(request, cancellationToken);
    }

    /// <summary>Hands the stub to Docker.DotNet as the handler of its HttpClient.</summary>
    private sealed class Factory : IDockerHandlerFactory<StubDockerHandler>
    {
        public ResolvedTransport CreateHandler(ResolvedClientOptions clientOptions, ILogger logger) =>
            throw new NotSupportedException("the stub needs its handler");

        public ResolvedTransport CreateHandler(StubDockerHandler transportOptions, ResolvedClientOptions clientOptions, ILogger logger) =>
            new(transportOptions, clientOptions.Endpoint);

        public Task<WriteClosableStream> HijackStreamAsync(HttpContent content) =>
            throw new NotSupportedException("no hijacked streams in these tests");
    }
}
