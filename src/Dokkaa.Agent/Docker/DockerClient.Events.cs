using System.Globalization;
using System.Runtime.CompilerServices;
using Docker.DotNet.Models;

namespace Dokkaa.Agent.Docker;

/// <summary>The event stream.</summary>
public sealed partial class DockerClient
{
    public IAsyncEnumerable<DockerEvent> EventsAsync(IReadOnlyDictionary<string, string?> labels, CancellationToken cancellationToken = default) =>
        EventsAsync(labels, since: null, cancellationToken);

    /// <summary>
    /// Like <see cref="IDockerClient.EventsAsync"/>, first replaying the daemon's recent events from
    /// <paramref name="since"/> on (it keeps the last few hundred). List, then subscribe since the time of
    /// the list: nothing that happened in between is missed.
    /// </summary>
    /// <remarks>
    /// Ends when the daemon closes the stream (a daemon restart); a connection that breaks mid-stream throws
    /// <see cref="DockerUnavailableException"/>; cancellation throws <see cref="OperationCanceledException"/>.
    /// Docker.DotNet reports events through a callback; <see cref="EventQueue"/> turns them into this stream.
    /// </remarks>
    public async IAsyncEnumerable<DockerEvent> EventsAsync(
        IReadOnlyDictionary<string, string?> labels,
        DateTimeOffset? since,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var parameters = new ContainerEventsParameters
        {
            Filters = LabelFilters.For(labels, ("type", "container")),
            Since = since is { } from ? UnixTime(from) : null,
        };
        var queue = new EventQueue();
        // Stopped when the reader leaves (break, cancellation, failure), so the library's reader never outlives it.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pump = PumpEventsAsync(parameters, queue, stop.Token);
        try
        {
            await foreach (var dockerEvent in queue.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                yield return dockerEvent;
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await pump.ConfigureAwait(false);
        }
    }

    /// <summary>Runs the library's event monitor into the queue; never throws: its end or failure completes the queue.</summary>
    private async Task PumpEventsAsync(ContainerEventsParameters parameters, EventQueue queue, CancellationToken cancellationToken)
    {
        Exception? failure = null;
        try
        {
            await _engine.System.MonitorEventsAsync(parameters, queue, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            failure = Translate(e, "GET /events", Timeout.InfiniteTimeSpan, cancellationToken, notFound: null) ?? e;
        }
        finally
        {
            queue.Complete(failure);
        }
    }

    // The daemon takes seconds with an optional fraction of up to nine digits.
    private static string UnixTime(DateTimeOffset time)
    {
        var ticks = (time - DateTimeOffset.UnixEpoch).Ticks;
        var seconds = Math.DivRem(ticks, TimeSpan.TicksPerSecond, out var rest);
        return string.Create(CultureInfo.InvariantCulture, $"{seconds}.{rest * 100:D9}");
    }
}
