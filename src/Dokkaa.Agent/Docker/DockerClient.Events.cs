using System.Globalization;
using System.Runtime.CompilerServices;

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
    /// Ends when the daemon closes the stream; a connection that breaks mid-stream throws
    /// <see cref="DockerUnavailableException"/>; cancellation throws <see cref="OperationCanceledException"/>.
    /// </remarks>
    public async IAsyncEnumerable<DockerEvent> EventsAsync(
        IReadOnlyDictionary<string, string?> labels,
        DateTimeOffset? since,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var query = "events?" + DockerQuery.Filters(labels, ("type", "container"));
        if (since is { } from)
            query += "&since=" + UnixTime(from);
        using var response = await SendAsync(HttpMethod.Get, query, cancellationToken).ConfigureAwait(false);
        await response.ThrowIfFailedAsync().ConfigureAwait(false);
        response.StopTimeout();
        await foreach (var line in response.ReadLinesAsync(cancellationToken).ConfigureAwait(false))
        {
            if (DockerEventJson.Parse(line) is { } dockerEvent)
                yield return dockerEvent;
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
