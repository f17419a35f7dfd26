using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace Dokkaa.Agent.Docker;

/// <summary>
/// A daemon's answer whose body is still to be read. Reading keeps the request's timeout and
/// translates a dropped connection or an unreadable body into Dokkaa's Docker exceptions.
/// </summary>
internal sealed class DockerResponse : IDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly CancellationTokenSource _cts;
    private readonly string _endpoint;
    private readonly string _what;
    private readonly TimeSpan _timeout;
    private readonly CancellationToken _callerToken;

    public DockerResponse(HttpResponseMessage response, CancellationTokenSource cts, string endpoint, string what, TimeSpan timeout, CancellationToken callerToken)
    {
        _response = response;
        _cts = cts;
        _endpoint = endpoint;
        _what = what;
        _timeout = timeout;
        _callerToken = callerToken;
    }

    public int StatusCode => (int)_response.StatusCode;

    public bool IsSuccess => _response.IsSuccessStatusCode;

    /// <summary>For streams that stay open (events): the timeout covered the wait for the headers only.</summary>
    public void StopTimeout() => _cts.CancelAfter(Timeout.InfiniteTimeSpan);

    public async Task<JsonElement> ReadJsonAsync()
    {
        try
        {
            var stream = await _response.Content.ReadAsStreamAsync(_cts.Token).ConfigureAwait(false);
            using var document = await JsonDocument.ParseAsync(stream, cancellationToken: _cts.Token).ConfigureAwait(false);
            return document.RootElement.Clone();
        }
        catch (Exception ex) when (Translate(ex) is { } translated)
        {
            throw translated;
        }
    }

    /// <summary>The body line by line (events, pull progress: one JSON object per line), until the daemon ends it.</summary>
    public async IAsyncEnumerable<string> ReadLinesAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(_cts.Token, cancellationToken);
        StreamReader reader;
        try
        {
            reader = new StreamReader(await _response.Content.ReadAsStreamAsync(linked.Token).ConfigureAwait(false), Encoding.UTF8);
        }
        catch (Exception ex) when (Translate(ex) is { } translated)
        {
            throw translated;
        }

        using (reader)
        {
            while (true)
            {
                string? line;
                try
                {
                    line = await reader.ReadLineAsync(linked.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested && Translate(ex) is { } translated)
                {
                    throw translated;
                }

                if (line is null)
                    yield break;
                if (line.Length > 0)
                    yield return line;
            }
        }
    }

    /// <summary>The exception for a non-success answer: 404 is <see cref="DockerNotFoundException"/>, the rest <see cref="DockerException"/>, both with the daemon's message.</summary>
    public async Task<DockerException> ErrorAsync(string? notFoundMessage = null)
    {
        var message = await ReadMessageAsync().ConfigureAwait(false);
        if (StatusCode == 404)
            return new DockerNotFoundException(notFoundMessage is null ? message : $"{notFoundMessage} ({message})");
        return new DockerException($"{_what} failed ({StatusCode}): {message}", StatusCode);
    }

    public async Task ThrowIfFailedAsync(string? notFoundMessage = null)
    {
        if (!IsSuccess)
            throw await ErrorAsync(notFoundMessage).ConfigureAwait(false);
    }

    /// <summary>The daemon's <c>{"message": ...}</c>, or the raw body when it is not that.</summary>
    public async Task<string> ReadMessageAsync()
    {
        string text;
        try
        {
            text = await _response.Content.ReadAsStringAsync(_cts.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (Translate(ex) is { } translated)
        {
            throw translated;
        }

        try
        {
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String)
                return m.GetString()!;
        }
        catch (JsonException)
        {
            // Not JSON (a proxy in between, an old daemon): the text itself is the best message there is.
        }

        return string.IsNullOrWhiteSpace(text) ? _response.ReasonPhrase ?? "no message" : text.Trim();
    }

    public void Dispose()
    {
        _response.Dispose();
        _cts.Dispose();
    }

    // Null leaves the exception alone: the caller's own cancellation, or a bug.
    private DockerException? Translate(Exception exception) => exception switch
    {
        OperationCanceledException when !_callerToken.IsCancellationRequested => DockerFailures.TimedOut(_endpoint, _what, _timeout, exception),
        JsonException => new DockerException($"{_what}: the daemon at {_endpoint} sent an answer that is not JSON: {exception.Message}", StatusCode, exception),
        _ when DockerFailures.IsConnectionFailure(exception) => DockerFailures.Unreachable(_endpoint, exception),
        _ => null,
    };
}
