using System.Net.Http.Headers;
using System.Text.Json;

namespace Dokkaa.Core.Etcd;

/// <summary>
/// Posts gateway requests to the etcd members: sticks to the member that answered last, moves on to the
/// next one when a member fails, and turns etcd's error bodies into <see cref="EtcdException"/>.
/// </summary>
internal sealed class EtcdTransport : IDisposable
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    private readonly HttpClient _http;
    private int _preferred;

    public EtcdTransport(EtcdClientOptions options, HttpMessageHandler? handler)
    {
        Options = options;
        // Timeouts are applied per attempt (and not at all to watches), so the client-wide one is off.
        // A handler passed in (tests) belongs to the caller.
        _http = new HttpClient(handler ?? EtcdConnector.CreateHandler(options), disposeHandler: handler is null)
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    public EtcdClientOptions Options { get; }

    public int PreferredIndex => Volatile.Read(ref _preferred);

    public void Prefer(int index) => Volatile.Write(ref _preferred, index % Options.Endpoints.Count);

    /// <summary>
    /// Sends one unary request. <paramref name="retryIfMaybeApplied"/> says whether the request may be sent to
    /// another member after one failed in a way that leaves open whether etcd applied it (a timeout, a dropped
    /// connection, a 5xx). Reads may; a create-if-absent transaction may not, because its second attempt would
    /// find the key created by the first and report a lost claim that was in fact won.
    /// </summary>
    public async Task<JsonDocument> PostAsync(string path, byte[] body, bool retryIfMaybeApplied, CancellationToken cancellationToken)
    {
        var endpoints = Options.Endpoints;
        var first = PreferredIndex;
        var failures = new List<string>();
        for (var i = 0; i < endpoints.Count; i++)
        {
            var index = (first + i) % endpoints.Count;
            var attempt = await TryPostAsync(endpoints[index], path, body, cancellationToken).ConfigureAwait(false);
            switch (attempt.Kind)
            {
                case AttemptKind.Answered:
                    Prefer(index);
                    return attempt.Document!;
                case AttemptKind.EtcdError:
                    // The member is fine; the request is wrong or refused. Another member would say the same.
                    Prefer(index);
                    throw attempt.Error!;
                case AttemptKind.NotSent:
                    failures.Add($"{endpoints[index]} ({attempt.Reason})");
                    continue;
                default:
                    failures.Add($"{endpoints[index]} ({attempt.Reason})");
                    if (retryIfMaybeApplied)
                        continue;
                    // Next call starts elsewhere, but this one cannot be repeated blindly.
                    Prefer(index + 1);
                    throw new EtcdException(
                        $"etcd request {path} failed on {endpoints[index]} ({attempt.Reason}); it may or may not have been applied. " +
                        "Re-read the state before retrying.",
                        attempt.Error);
            }
        }

        throw new EtcdException($"etcd did not answer on any endpoint: {string.Join("; ", failures)}");
    }

    /// <summary>Opens a streaming request (a watch) on one endpoint and returns once the response headers arrived.</summary>
    public async Task<HttpResponseMessage> OpenStreamAsync(Uri endpoint, string path, byte[] body, CancellationToken cancellationToken)
    {
        using var request = CreateRequest(endpoint, path, body);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Options.RequestTimeout);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new EtcdException($"{endpoint} did not answer within {Options.RequestTimeout.TotalSeconds:0.#} s", e);
        }
        catch (HttpRequestException e)
        {
            throw new EtcdException($"{endpoint}: {e.Message}", e);
        }

        if (response.IsSuccessStatusCode)
            return response;
        using (response)
        {
            var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            throw ErrorFromBody(endpoint, (int)response.StatusCode, bytes);
        }
    }

    private HttpRequestMessage CreateRequest(Uri endpoint, string path, byte[] body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(endpoint.AbsoluteUri.TrimEnd('/') + path))
        {
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = Json;
        if (Options.RequireLeader)
            request.Headers.TryAddWithoutValidation("Grpc-Metadata-Hasleader", "true");
        return request;
    }

    private async Task<Attempt> TryPostAsync(Uri endpoint, string path, byte[] body, CancellationToken cancellationToken)
    {
        using var request = CreateRequest(endpoint, path, body);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Options.RequestTimeout);
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token).ConfigureAwait(false);
            var bytes = await response.Content.ReadAsByteArrayAsync(timeout.Token).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                var document = ParseFirstValue(bytes);
                if (document is not null && !document.RootElement.TryGetProperty("error", out _))
                    return Attempt.Answer(document);
                document?.Dispose();
            }

            var error = ErrorFromBody(endpoint, status, bytes);
            if (IsNoLeader(error))
                return Attempt.Failed(AttemptKind.NotSent, error.Message, error);
            if (status >= 500 || error.GrpcCode is 14)
                return Attempt.Failed(AttemptKind.MaybeApplied, error.Message, error);
            return new Attempt(AttemptKind.EtcdError, null, error.Message, error);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Attempt.Failed(AttemptKind.MaybeApplied, $"no answer within {Options.RequestTimeout.TotalSeconds:0.#} s", null);
        }
        catch (HttpRequestException e) when (e.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError)
        {
            return Attempt.Failed(AttemptKind.NotSent, e.InnerException?.Message ?? e.Message, new EtcdException(e.Message, e));
        }
        catch (Exception e) when (e is HttpRequestException or IOException or JsonException)
        {
            return Attempt.Failed(AttemptKind.MaybeApplied, e.Message, new EtcdException(e.Message, e));
        }
    }

    /// <summary>With RequireLeader, a leaderless member refuses before proposing anything: safe to send elsewhere.</summary>
    private static bool IsNoLeader(EtcdException error) =>
        error.GrpcCode is 14 && error.Message.Contains("no leader", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Reads the gateway's error shapes: unary calls answer {"error","code","message"}, streams send
    /// {"error":{"grpc_code","http_code","message"}} as a message.
    /// </summary>
    internal static EtcdException ErrorFromBody(Uri endpoint, int status, byte[] body)
    {
        try
        {
            using var document = ParseFirstValue(body);
            if (document is not null && TryReadError(document.RootElement, out var error))
                return error;
        }
        catch (JsonException)
        {
            // Not etcd's JSON (a proxy page, say): fall through to the status code.
        }

        return new EtcdException($"{endpoint} answered HTTP {status} without an etcd error body.");
    }

    internal static bool TryReadError(JsonElement root, out EtcdException error)
    {
        error = null!;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("error", out var value))
            return false;
        if (value.ValueKind == JsonValueKind.Object)
        {
            var message = EtcdJson.GetPlainString(value, "message") ?? "unknown etcd error";
            error = new EtcdException(message, (int)EtcdJson.GetInt64(value, "grpc_code"));
            return true;
        }

        var text = EtcdJson.GetPlainString(root, "message") ?? value.GetString() ?? "unknown etcd error";
        error = new EtcdException(text, (int)EtcdJson.GetInt64(root, "code"));
        return true;
    }

    /// <summary>The gateway's unary answers are one JSON value; stream-shaped endpoints (lease keepalive) may add more.</summary>
    internal static JsonDocument? ParseFirstValue(byte[] bytes)
    {
        var reader = new Utf8JsonReader(bytes, isFinalBlock: true, state: default);
        return reader.Read() ? JsonDocument.ParseValue(ref reader) : null;
    }

    public void Dispose() => _http.Dispose();

    private enum AttemptKind { Answered, EtcdError, NotSent, MaybeApplied }

    private sealed record Attempt(AttemptKind Kind, JsonDocument? Document, string Reason, EtcdException? Error)
    {
        public static Attempt Answer(JsonDocument document) => new(AttemptKind.Answered, document, "", null);

        public static Attempt Failed(AttemptKind kind, string reason, EtcdException? error) => new(kind, null, reason, error);
    }
}
