using Dokkaa.Core.Etcd;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;

namespace Dokkaa.Etcd;

/// <summary>
/// One gRPC watch stream on one member: opens it, then turns each WatchResponse into a batch of events.
/// It reads the raw responses itself, because compaction arrives as a canceled response with a compact
/// revision, which must become <see cref="EtcdCompactedException"/>. Transport trouble is reported as
/// <see cref="FailureReason"/> (the watch reconnects); what etcd says about the watch itself (compacted,
/// canceled, credentials refused) is thrown, because reconnecting would not help.
/// </summary>
internal sealed class GrpcWatchConnection(EtcdCaller caller, EtcdEndpoint endpoint) : IDisposable
{
    private static readonly IReadOnlyList<WatchEvent> NoEvents = [];

    private AsyncDuplexStreamingCall<WatchRequest, WatchResponse>? _call;
    private string? _token;

    /// <summary>Why the stream cannot be used any more; set when an open or a read answered false or null.</summary>
    public string? FailureReason { get; private set; }

    public async Task<bool> OpenAsync(string key, bool prefix, long startRevision, CancellationToken cancellationToken)
    {
        var create = new WatchCreateRequest
        {
            Key = ByteString.CopyFrom(EtcdKeys.RangeStart(key, prefix)),
            StartRevision = startRevision,
            // Progress notifications keep an idle watch talking, which is what lets the idle timeout tell
            // a quiet key from a hung member.
            ProgressNotify = true,
        };
        if (prefix)
            create.RangeEnd = ByteString.CopyFrom(EtcdKeys.PrefixRangeEnd(EtcdKeys.ToBytes(key)));
        try
        {
            (var headers, _token) = await caller.HeadersAsync(endpoint, cancellationToken).ConfigureAwait(false);
            _call = endpoint.Watch.Watch(new CallOptions(headers, cancellationToken: cancellationToken));
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(caller.Options.RequestTimeout);
            await _call.RequestStream.WriteAsync(new WatchRequest { CreateRequest = create }, timeout.Token).ConfigureAwait(false);
            return true;
        }
        catch (RpcException e) when (!cancellationToken.IsCancellationRequested)
        {
            return Fail(e) is not null;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled)
        {
            throw new OperationCanceledException(e.Message, e, cancellationToken);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            FailureReason = $"{endpoint.Uri} did not take the watch within {caller.Options.RequestTimeout.TotalSeconds:0.#} s";
            return false;
        }
    }

    /// <summary>
    /// The events of the next message (none for "created" and progress notifications), or null when the
    /// stream broke or stayed silent past the idle timeout.
    /// </summary>
    public async Task<IReadOnlyList<WatchEvent>?> ReadAsync(long requestedRevision, CancellationToken cancellationToken)
    {
        var idle = caller.Options.WatchIdleTimeout;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (idle != Timeout.InfiniteTimeSpan)
            timeout.CancelAfter(idle);
        try
        {
            if (!await _call!.ResponseStream.MoveNext(timeout.Token).ConfigureAwait(false))
                return Fail("the stream ended");
        }
        catch (Exception e) when (e is RpcException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            if (timeout.IsCancellationRequested)
                return Fail($"nothing received for {idle.TotalSeconds:0.#} s");
            return e is RpcException rpc ? Fail(rpc) : Fail(e.Message);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled)
        {
            // The caller's cancellation, which gRPC reports as a status: callers expect the usual exception.
            throw new OperationCanceledException(e.Message, e, cancellationToken);
        }

        return Interpret(_call.ResponseStream.Current, requestedRevision);
    }

    private IReadOnlyList<WatchEvent>? Interpret(WatchResponse response, long requestedRevision)
    {
        if (response.CompactRevision > 0)
            throw new EtcdCompactedException(requestedRevision, response.CompactRevision);
        if (response.Canceled)
        {
            var reason = string.IsNullOrEmpty(response.CancelReason) ? "no reason given" : response.CancelReason;
            throw new EtcdException($"etcd at {endpoint.Uri} canceled the watch: {reason}");
        }

        if (response.Events.Count == 0)
            return NoEvents;
        var batch = new List<WatchEvent>(response.Events.Count);
        foreach (var item in response.Events)
        {
            var type = item.Type == Mvccpb.Event.Types.EventType.Delete ? WatchEventType.Delete : WatchEventType.Put;
            batch.Add(new WatchEvent(type, item.Kv is null ? new KeyValue("", "", 0, 0, 0, 0) : EtcdProto.KeyValue(item.Kv)));
        }

        return batch;
    }

    /// <summary>A refused request or credentials end the watch; a stale token is dropped so the reconnect authenticates again.</summary>
    private IReadOnlyList<WatchEvent>? Fail(RpcException e)
    {
        var failure = EtcdFailure.From(e, caller.Options.RequestTimeout);
        if (failure.Kind == EtcdFailureKind.Refused)
            throw failure.ToException(endpoint.Uri);
        if (failure.Kind == EtcdFailureKind.TokenRejected)
            caller.Token.Invalidate(_token);
        return Fail($"{endpoint.Uri}: {failure.Reason}");
    }

    private IReadOnlyList<WatchEvent>? Fail(string reason)
    {
        FailureReason = reason;
        return null;
    }

    /// <summary>Disposing the call cancels it, which ends etcd's side of the watch.</summary>
    public void Dispose() => _call?.Dispose();
}
