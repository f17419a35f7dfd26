using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Dokkaa.Agent.Http;

/// <summary>
/// Checks HTTP routing end to end, the way a client uses it: a request through this host's nginx on its first
/// listen address (loopback for a wildcard address) with a route's Host header. A "reloaded" nginx can still
/// answer every request with 502 (a socket or temp directory its workers cannot reach, instances it cannot
/// connect to); the answers nginx makes up itself carry <see cref="NginxConfigRenderer.ErrorHeader"/>, so they
/// are told from an application's own error, which counts as the route working.
/// </summary>
internal sealed class NginxRouteCheck : IDisposable
{
    /// <summary>A Host header no manifest can declare (host names have no '_'): the default server must answer it with 404.</summary>
    public const string UnroutedHost = "dokkaa_route_check";

    private const string DefaultServerBody = "dokkaa: no application is routed";

    private readonly NginxOptions _options;
    private readonly HttpClient _http;
    private readonly Uri _url;

    public NginxRouteCheck(NginxOptions options)
    {
        _options = options;
        var endpoint = options.ListenEndpoints()[0];
        var address = endpoint.Address.Equals(IPAddress.Any) ? IPAddress.Loopback
            : endpoint.Address.Equals(IPAddress.IPv6Any) ? IPAddress.IPv6Loopback
            : endpoint.Address;
        Endpoint = new IPEndPoint(address, endpoint.Port);
        _url = new Uri($"http://{Endpoint}/");
        // No proxy from the environment: the check is about this host's nginx, on this host.
        _http = new HttpClient(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromSeconds(30) })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    /// <summary>Where the requests go.</summary>
    public IPEndPoint Endpoint { get; }

    /// <summary>Null when nginx answers for <paramref name="host"/> with an instance's answer (or its 503 for a route without running instances); else why not.</summary>
    public async Task<string?> CheckRouteAsync(string host, CancellationToken cancellationToken)
    {
        var (response, error) = await SendAsync(host, cancellationToken).ConfigureAwait(false);
        if (response is null)
            return error;
        return response.Token is null ? null : Describe(response);
    }

    /// <summary>Null when the default server answers an unrouted name with its 404, which proves the path through the front to the router; else why not.</summary>
    public async Task<string?> CheckNginxAsync(CancellationToken cancellationToken)
    {
        var (response, error) = await SendAsync(UnroutedHost, cancellationToken).ConfigureAwait(false);
        if (response is null)
            return error;
        if (response.Token is not null)
            return Describe(response);
        return response.Status == 404 && response.Body.StartsWith(DefaultServerBody, StringComparison.Ordinal)
            ? null
            : $"nginx on {Endpoint} answered a request for an unrouted name with {response.Status} instead of its own 404: is another server listening there?";
    }

    public void Dispose() => _http.Dispose();

    private sealed record Answer(int Status, string? Token, string Body);

    private async Task<(Answer? Response, string? Error)> SendAsync(string host, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.RouteCheckTimeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, _url);
            request.Headers.Host = host;
            request.Headers.UserAgent.ParseAdd("dokkaa-route-check");
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            var token = response.Headers.TryGetValues(NginxConfigRenderer.ErrorHeader, out var values) ? values.FirstOrDefault() : null;
            // Only nginx's own short answers are read; an application's body is left unread.
            var body = token is not null || (int)response.StatusCode == 404
                ? await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false)
                : "";
            return (new Answer((int)response.StatusCode, token, body), null);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (null, $"no answer through nginx on {Endpoint} within {_options.RouteCheckTimeout.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)}s");
        }
        catch (HttpRequestException e)
        {
            return (null, $"nginx does not answer on {Endpoint}: {(e.InnerException as SocketException)?.Message ?? e.Message}");
        }
    }

    private string Describe(Answer answer)
    {
        var what = answer.Token switch
        {
            NginxConfigRenderer.NoInstanceAnswered => "no instance answered through nginx on this host",
            NginxConfigRenderer.RouterUnreachable => "the front nginx cannot pass requests to the routing nginx",
            NginxConfigRenderer.RouterFailed => "nginx failed the request itself",
            _ => $"nginx failed the request ({Printable(answer.Token!)})",
        };
        var hint = LastLoggedError();
        return $"{what} ({answer.Status.ToString(CultureInfo.InvariantCulture)})" + (hint is null ? "" : $"; error.log: {hint}");
    }

    /// <summary>
    /// The reason in the last error line of nginx's error log, without the parts that change from request to
    /// request (time, pid, connection number, client), so the same problem gives the same status text.
    /// </summary>
    private string? LastLoggedError()
    {
        try
        {
            using var file = new FileStream(_options.ErrorLogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var length = Math.Min(file.Length, 16 * 1024);
            file.Seek(-length, SeekOrigin.End);
            var buffer = new byte[length];
            file.ReadExactly(buffer);
            var line = Encoding.UTF8.GetString(buffer).Split('\n')
                .LastOrDefault(l => l.Contains("[error]", StringComparison.Ordinal) || l.Contains("[crit]", StringComparison.Ordinal) || l.Contains("[alert]", StringComparison.Ordinal));
            if (line is null)
                return null;
            var start = line.IndexOf(": ", line.IndexOf(']', StringComparison.Ordinal) + 1, StringComparison.Ordinal);
            var reason = start < 0 ? line : line[(start + 2)..];
            if (reason.StartsWith('*'))
                reason = reason[(reason.IndexOf(' ', StringComparison.Ordinal) + 1)..];
            var client = reason.IndexOf(", client:", StringComparison.Ordinal);
            return Printable(client < 0 ? reason : reason[..client]);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string Printable(string text)
    {
        var cut = text.Length > 200 ? text[..200] + "..." : text;
        return new string(cut.Select(c => char.IsControl(c) ? '?' : c).ToArray());
    }
}
