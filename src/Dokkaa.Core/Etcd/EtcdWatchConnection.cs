using System.Text.Json;

namespace Dokkaa.Core.Etcd;

/// <summary>
/// One HTTP stream of a watch: opens it, then turns each gateway message into a batch of events.
/// Transport trouble is reported as <see cref="FailureReason"/> (the watch reconnects); what etcd
/// says about the watch itself (compacted, canceled) is thrown, because reconnecting would not help.
/// </summary>
internal sealed class EtcdWatchConnection : IDisposable
{
    private static readonly IReadOnlyList<WatchEvent> NoEvents = [];

    private readonly EtcdTransport _transport;
    private HttpResponseMessage? _response;
    private JsonValueStreamReader? _reader;

    public EtcdWatchConnection(EtcdTransport transport) => _transport = transport;

    /// <summary>Why the stream cannot be used any more; set when an open or a read answered false or null.</summary>
    public string? FailureReason { get; private set; }

    public static byte[] CreateRequest(string key, bool prefix, long startRevision) => EtcdJson.Build(writer =>
    {
        writer.WriteStartObject("create_request");
        EtcdJson.WriteRangeFields(writer, key, prefix);
        EtcdJson.WriteInt64(writer, "start_revision", startRevision);
        // Progress notifications keep an idle watch talking, which is what lets the idle timeout tell
        // a quiet key from a hung member.
        writer.WriteBoolean("progress_notify", true);
        writer.WriteEndObject();
    });

    public async Task<bool> OpenAsync(Uri endpoint, byte[] request, CancellationToken cancellationToken)
    {
        try
        {
            _response = await _transport.OpenStreamAsync(endpoint, "/v3/watch", request, cancellationToken).ConfigureAwait(false);
            var stream = await _response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            _reader = new JsonValueStreamReader(stream);
            return true;
        }
        catch (EtcdException e)
        {
            FailureReason = e.Message;
            return false;
        }
        catch (IOException e)
        {
            FailureReason = $"{endpoint}: {e.Message}";
            return false;
        }
    }

    /// <summary>
    /// The events of the next message (none for "created" and progress notifications), or null when the
    /// stream broke or stayed silent past the idle timeout.
    /// </summary>
    public async Task<IReadOnlyList<WatchEvent>?> ReadAsync(long requestedRevision, CancellationToken cancellationToken)
    {
        var idle = _transport.Options.WatchIdleTimeout;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (idle != Timeout.InfiniteTimeSpan)
            timeout.CancelAfter(idle);

        JsonDocument? document;
        try
        {
            document = await _reader!.ReadAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Fail($"nothing received for {idle.TotalSeconds:0.#} s");
        }
        catch (Exception e) when (e is IOException or JsonException or System.Net.Http.HttpRequestException or ObjectDisposedException)
        {
            return Fail(e.Message);
        }

        if (document is null)
            return Fail("the stream ended");
        using (document)
            return Interpret(document.RootElement, requestedRevision);
    }

    private IReadOnlyList<WatchEvent>? Interpret(JsonElement root, long requestedRevision)
    {
        // A stream error ({"error":{...}}): the member went away or lost its leader. Reconnect.
        if (EtcdTransport.TryReadError(root, out var error))
            return Fail(error.Message);
        if (!root.TryGetProperty("result", out var result))
            return Fail("an unexpected message without a result");

        var compactRevision = EtcdJson.GetInt64(result, "compact_revision");
        if (compactRevision > 0)
            throw new EtcdCompactedException(requestedRevision, compactRevision);
        if (EtcdJson.GetBool(result, "canceled"))
        {
            var reason = EtcdJson.GetPlainString(result, "cancel_reason");
            throw new EtcdException($"etcd canceled the watch: {(string.IsNullOrEmpty(reason) ? "no reason given" : reason)}");
        }

        if (!result.TryGetProperty("events", out var events) || events.ValueKind != JsonValueKind.Array)
            return NoEvents;

        var batch = new List<WatchEvent>(events.GetArrayLength());
        foreach (var item in events.EnumerateArray())
        {
            // PUT is the proto default, so the gateway leaves "type" out for puts.
            var type = EtcdJson.GetPlainString(item, "type") == "DELETE" ? WatchEventType.Delete : WatchEventType.Put;
            var kv = item.TryGetProperty("kv", out var kvElement) ? EtcdJson.ParseKeyValue(kvElement) : new KeyValue("", "", 0, 0, 0, 0);
            batch.Add(new WatchEvent(type, kv));
        }

        return batch;
    }

    private IReadOnlyList<WatchEvent>? Fail(string reason)
    {
        FailureReason = reason;
        return null;
    }

    public void Dispose()
    {
        _reader?.Dispose();
        // Disposing the response aborts the underlying connection, which ends etcd's side of the watch.
        _response?.Dispose();
    }
}
