using System.Net;
using System.Text;
using Dokkaa.Agent.Docker;

namespace Dokkaa.Agent.Tests.Docker;

/// <summary>
/// A daemon stand-in for answers the real one gives only in situations a test cannot arrange
/// (an error halfway through a pull, a daemon that hangs). Records what was asked.
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

    public DockerClient Client(DockerClientOptions? options = null) =>
        new(new DockerTransport(this, new Uri("http://docker/v1.41/"), "stub://docker"), options ?? DockerClientOptions.Default);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Requests.Add($"{request.Method} {request.RequestUri!.PathAndQuery}");
        return _answer(request, cancellationToken);
    }
}
