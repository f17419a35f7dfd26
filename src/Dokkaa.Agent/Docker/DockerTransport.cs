using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Dokkaa.Agent.Docker;

/// <summary>
/// Sends one request to the daemon and turns connection failures and timeouts into
/// <see cref="DockerUnavailableException"/>. What an answer means is up to the caller.
/// </summary>
internal sealed class DockerTransport : IDisposable
{
    private readonly HttpClient _http;

    public DockerTransport(HttpMessageHandler handler, Uri baseAddress, string endpoint)
    {
        // Timeouts are per call (see SendAsync): the event stream must be able to stay open for days.
        _http = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = Timeout.InfiniteTimeSpan };
        Endpoint = endpoint;
    }

    /// <summary>The endpoint as given, for messages.</summary>
    public string Endpoint { get; }

    /// <summary>
    /// Sends a request and returns once the response headers are in. <paramref name="timeout"/> keeps
    /// running while the body is read through the returned response, until it is disposed or
    /// <see cref="DockerResponse.StopTimeout"/> is called.
    /// </summary>
    public async Task<DockerResponse> SendAsync(HttpMethod method, string pathAndQuery, JsonNode? body, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var what = $"{method} /{pathAndQuery.Split('?')[0]}";
        var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        using var request = new HttpRequestMessage(method, pathAndQuery);
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        try
        {
            var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token).ConfigureAwait(false);
            return new DockerResponse(response, cts, Endpoint, what, timeout, cancellationToken);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            cts.Dispose();
            throw DockerFailures.TimedOut(Endpoint, what, timeout, ex);
        }
        catch (Exception ex) when (DockerFailures.IsConnectionFailure(ex))
        {
            cts.Dispose();
            throw DockerFailures.Unreachable(Endpoint, ex);
        }
        catch
        {
            cts.Dispose();
            throw;
        }
    }

    public void Dispose() => _http.Dispose();
}
