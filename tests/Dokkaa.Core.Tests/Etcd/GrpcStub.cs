using System.Net;
using System.Net.Http.Headers;

namespace Dokkaa.Core.Tests.Etcd;

/// <summary>
/// Sits in front of each member's HTTP handler: records every gRPC call ("host:port /service/Method" and
/// whether it carried the require-leader metadata), and answers calls to <see cref="Failing"/> itself with a
/// gRPC error (nothing is sent there), so that tests can see how the client treats each etcd error.
/// Calls to other members go to the real etcd.
/// </summary>
public sealed class GrpcStub
{
    private readonly List<string> _calls = [];
    private readonly List<bool> _hasLeader = [];

    /// <summary>The member whose calls fail with <see cref="Status"/> and <see cref="Message"/>.</summary>
    public Uri? Failing { get; init; }

    public int Status { get; init; } = 14;

    public string Message { get; init; } = "etcdserver: no leader";

    public IReadOnlyList<string> Calls
    {
        get
        {
            lock (_calls)
                return _calls.ToArray();
        }
    }

    public IReadOnlyList<bool> HasLeader
    {
        get
        {
            lock (_calls)
                return _hasLeader.ToArray();
        }
    }

    public HttpMessageHandler Wrap(HttpMessageHandler inner) => new Handler(this, inner);

    private HttpResponseMessage? Answer(HttpRequestMessage request)
    {
        lock (_calls)
        {
            _calls.Add($"{request.RequestUri!.Authority} {request.RequestUri.AbsolutePath}");
            _hasLeader.Add(request.Headers.TryGetValues("hasleader", out var values) && values.Single() == "true");
        }

        if (Failing is null || request.RequestUri!.Authority != Failing.Authority)
            return null;
        // A "trailers-only" gRPC answer: the status travels in the headers, with no body.
        var response = new HttpResponseMessage(HttpStatusCode.OK) { Version = HttpVersion.Version20, Content = new ByteArrayContent([]) };
        response.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        response.Headers.Add("grpc-status", Status.ToString(System.Globalization.CultureInfo.InvariantCulture));
        response.Headers.Add("grpc-message", Message);
        return response;
    }

    private sealed class Handler(GrpcStub stub, HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            stub.Answer(request) is { } answer ? Task.FromResult(answer) : base.SendAsync(request, cancellationToken);
    }
}
