using System.Text;
using System.Text.Json;

namespace Dokkaa.WebConsole.Tests.Support;

/// <summary>Reads <c>/api/events</c> as a client would: one server-sent event at a time, each waited for with a deadline.</summary>
public sealed class EventStreamReader : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly StreamReader _reader;

    private EventStreamReader(HttpResponseMessage response, StreamReader reader)
    {
        _response = response;
        _reader = reader;
    }

    public HttpResponseMessage Response => _response;

    public static async Task<EventStreamReader> OpenAsync(HttpClient http, string path = "/api/events")
    {
        var response = await http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        var stream = await response.Content.ReadAsStreamAsync();
        return new EventStreamReader(response, new StreamReader(stream, Encoding.UTF8));
    }

    /// <summary>The next event (comments and the retry line skipped).</summary>
    public async Task<(string Name, string? Id, JsonElement Data)> NextAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        string? name = null, id = null;
        var data = new StringBuilder();
        while (true)
        {
            var line = await _reader.ReadLineAsync(cts.Token) ?? throw new EndOfStreamException("the event stream ended");
            if (line.Length == 0)
            {
                if (data.Length > 0)
                {
                    using var document = JsonDocument.Parse(data.ToString());
                    return (name ?? "message", id, document.RootElement.Clone());
                }

                name = id = null;
                continue;
            }

            if (line.StartsWith(':'))
                continue;
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var field = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? "" : line[(colon + 1)..].TrimStart(' ');
            switch (field)
            {
                case "event": name = value; break;
                case "id": id = value; break;
                case "data": data.Append(value); break;
            }
        }
    }

    /// <summary>Reads events until one named <paramref name="name"/> satisfies <paramref name="match"/>; fails at the deadline.</summary>
    public async Task<JsonElement> UntilAsync(string name, Func<JsonElement, bool> match, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        var seen = new List<string>();
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
                throw new TimeoutException($"no {name} event matched; saw: {string.Join(" | ", seen.TakeLast(5))}");
            (string Name, string? Id, JsonElement Data) next;
            try
            {
                next = await NextAsync(left);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"no {name} event matched; saw: {string.Join(" | ", seen.TakeLast(5))}");
            }

            seen.Add($"{next.Name}: {Truncate(next.Data.GetRawText())}");
            if (next.Name == name && match(next.Data))
                return next.Data;
        }
    }

    private static string Truncate(string text) => text.Length > 300 ? text[..300] + "…" : text;

    public ValueTask DisposeAsync()
    {
        _reader.Dispose();
        _response.Dispose();
        return ValueTask.CompletedTask;
    }
}
