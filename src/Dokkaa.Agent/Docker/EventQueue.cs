using System.Threading.Channels;
using Docker.DotNet.Models;

namespace Dokkaa.Agent.Docker;

/// <summary>
/// Takes the events Docker.DotNet reports through its callback and queues them for an async stream.
/// The queue is unbounded, so <see cref="Report"/> never blocks the library's reader and no event is
/// dropped; the agent drains it at once (each event only wakes the reconciler).
/// </summary>
internal sealed class EventQueue : IProgress<Message>
{
    private readonly Channel<DockerEvent> _channel = Channel.CreateUnbounded<DockerEvent>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

    public ChannelReader<DockerEvent> Reader => _channel.Reader;

    public void Report(Message value)
    {
        if (DockerEventMapping.ToEvent(value) is { } dockerEvent)
            _channel.Writer.TryWrite(dockerEvent);
    }

    /// <summary>No more events: the stream ended (<paramref name="error"/> null) or failed; the reader sees either after the queued events.</summary>
    public void Complete(Exception? error) => _channel.Writer.TryComplete(error);
}
