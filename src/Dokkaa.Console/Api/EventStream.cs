using System.Text;
using System.Text.Json;
using Dokkaa.Core.Cluster;
using Dokkaa.WebConsole.Live;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Dokkaa.WebConsole.Api;

/// <summary>
/// <c>GET /api/events</c>: server-sent events from the etcd watch. On connect, and after every change the
/// view applies: <c>change</c> (the keys that changed since the last event on this stream; not sent first)
/// then <c>snapshot</c> (the whole picture, as <c>/api/apps</c> and <c>/api/hosts</c> show it). Changes that
/// arrive while a stream is still writing are folded into its next event, so a slow client is never behind
/// by more than one snapshot. <c>heartbeat</c> carries the hosts' lease ages when they move. A comment line
/// every 15 s keeps proxies from closing an idle stream.
/// </summary>
internal static class EventStream
{
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    public static async Task RunAsync(HttpContext context, LiveCluster live, CancellationToken stopping)
    {
        var response = context.Response;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache, no-store";
        response.Headers["X-Accel-Buffering"] = "no";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        var ct = linked.Token;
        using var subscription = live.Subscribe();
        ClusterState? sent = null;
        IReadOnlyDictionary<string, HostHeartbeat>? sentBeats = null;
        try
        {
            await WriteAsync(response, "retry: 2000\n\n", ct).ConfigureAwait(false);
            while (!ct.IsCancellationRequested)
            {
                var state = live.View.Current;
                if (!ReferenceEquals(state, sent))
                {
                    if (sent is not null)
                    {
                        var changes = Projection.Diff(sent, state);
                        if (changes.Count > 0)
                            await EventAsync(response, "change", state.Revision, new ChangeEvent(state.Revision, changes), ct).ConfigureAwait(false);
                    }

                    await EventAsync(response, "snapshot", state.Revision, live.SnapshotOf(state), ct).ConfigureAwait(false);
                    sent = state;
                }

                var beats = live.Heartbeats;
                if (!ReferenceEquals(beats, sentBeats))
                {
                    await EventAsync(response, "heartbeat", null, new HeartbeatEvent(live.Now, beats), ct).ConfigureAwait(false);
                    sentBeats = beats;
                }

                await response.Body.FlushAsync(ct).ConfigureAwait(false);
                if (!await subscription.Signal.WaitAsync(KeepAlive, ct).ConfigureAwait(false))
                    await WriteAsync(response, ": keepalive\n\n", ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The client went away or the console is stopping.
        }
        catch (IOException) when (context.RequestAborted.IsCancellationRequested)
        {
        }
    }

    private static Task EventAsync<T>(HttpResponse response, string name, long? id, T data, CancellationToken ct)
    {
        var text = new StringBuilder();
        text.Append("event: ").Append(name).Append('\n');
        if (id is { } revision)
            text.Append("id: ").Append(revision.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append('\n');
        // Compact JSON has no line breaks (strings escape them), so it is one data line.
        text.Append("data: ").Append(JsonSerializer.Serialize(data, ApiJson.Options)).Append("\n\n");
        return WriteAsync(response, text.ToString(), ct);
    }

    private static async Task WriteAsync(HttpResponse response, string text, CancellationToken ct) =>
        await response.Body.WriteAsync(Encoding.UTF8.GetBytes(text), ct).ConfigureAwait(false);
}
