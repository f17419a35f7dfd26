using System.Runtime.CompilerServices;
using Dokkaa.Core.Etcd;

namespace Dokkaa.Etcd;

/// <summary>
/// A watch that survives its streams: when one breaks (member restarted or died, idle timeout, leader
/// lost) it pauses briefly, opens a new stream on the next member and asks for the revision after the
/// last one it delivered, so the caller sees every change exactly once, in order.
/// </summary>
internal static class GrpcWatch
{
    public static async IAsyncEnumerable<WatchEvent> RunAsync(
        EtcdCaller caller,
        Func<CancellationToken, Task<long>> currentRevision,
        string key,
        bool prefix,
        long startRevision,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var options = caller.Options;
        // "From now" must become a concrete revision before the first stream opens: a reconnect has to
        // resume from a known point, and the "created" answer's revision can race with writes.
        var next = startRevision > 0 ? startRevision : await currentRevision(cancellationToken).ConfigureAwait(false) + 1;
        var endpointIndex = caller.PreferredIndex;
        var failures = 0;
        var delay = options.WatchReconnectDelay;

        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var endpoint = caller.Endpoints[endpointIndex];
            using (var connection = new GrpcWatchConnection(caller, endpoint))
            {
                if (await connection.OpenAsync(key, prefix, next, cancellationToken).ConfigureAwait(false))
                {
                    while (await connection.ReadAsync(next, cancellationToken).ConfigureAwait(false) is { } batch)
                    {
                        // Any message proves the member is serving this watch.
                        failures = 0;
                        delay = options.WatchReconnectDelay;
                        caller.Prefer(endpointIndex);
                        foreach (var change in batch)
                            yield return change;
                        // etcd never splits a revision across messages, so after a whole message the
                        // resume point is a clean revision boundary.
                        if (batch.Count > 0)
                            next = batch[^1].Kv.ModRevision + 1;
                    }
                }

                options.Diagnostics?.Invoke($"etcd watch on {key}{(prefix ? "*" : "")} via {endpoint.Uri} broke ({connection.FailureReason}); resuming from revision {next}.");
            }

            // Try the next member at once; after a full round of failures, back off before the next round.
            failures++;
            endpointIndex = (endpointIndex + 1) % caller.Endpoints.Count;
            if (failures % caller.Endpoints.Count == 0)
            {
                await Task.Delay(Jitter(delay), cancellationToken).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, options.WatchMaxReconnectDelay.Ticks));
            }
        }
    }

    /// <summary>±20 %, so that every agent of a cluster does not reconnect in the same millisecond after an etcd restart.</summary>
    private static TimeSpan Jitter(TimeSpan delay) => delay * (0.8 + (Random.Shared.NextDouble() * 0.4));
}
