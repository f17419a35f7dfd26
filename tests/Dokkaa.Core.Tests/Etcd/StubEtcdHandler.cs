using System.Net;
using System.Text;

namespace Dokkaa.Core.Tests.Etcd;

/// <summary>An HTTP handler that answers from a function and records what was asked, to test how the client reads answers.</summary>
public sealed class StubEtcdHandler(Func<HttpRequestMessage, HttpResponseMessage> answer) : HttpMessageHandler
{
    private readonly List<string> _requests = [];

    /// <summary>"host:port path" of every request, in order.</summary>
    public IReadOnlyList<string> Requests
    {
        get
        {
            lock (_requests)
                return _requests.ToArray();
        }
    }

    public static HttpResponseMessage Json(HttpStatusCode status, string body) =>
        new(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        lock (_requests)
            _requests.Add($"{request.RequestUri!.Authority} {request.RequestUri.AbsolutePath}");
        return Task.FromResult(answer(request));
    }
}
