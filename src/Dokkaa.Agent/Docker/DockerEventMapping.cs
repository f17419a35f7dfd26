using Docker.DotNet.Models;

namespace Dokkaa.Agent.Docker;

/// <summary>Reads one of Docker.DotNet's event messages into a <see cref="DockerEvent"/>.</summary>
internal static class DockerEventMapping
{
    /// <summary>The event, or null for a message that is not a container event (other types, no id or action).</summary>
    public static DockerEvent? ToEvent(Message message)
    {
        if (!string.IsNullOrEmpty(message.Type) && message.Type != "container")
            return null;
        var id = message.Actor?.ID;
        var action = message.Action;
        if (string.IsNullOrEmpty(id) || string.IsNullOrEmpty(action))
            return null;

        // Some actions carry a detail after a colon: "health_status: healthy", "exec_start: sh -c ...".
        string? detail = null;
        var colon = action.IndexOf(':', StringComparison.Ordinal);
        if (colon > 0)
        {
            detail = action[(colon + 1)..].Trim();
            action = action[..colon];
        }

        var attributes = new Dictionary<string, string>(message.Actor?.Attributes ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        return new DockerEvent(action, id, attributes, Time(message)) { Detail = detail };
    }

    private static DateTimeOffset Time(Message message) =>
        message.TimeNano is > 0 and var nanos
            ? DateTimeOffset.UnixEpoch.AddTicks(nanos / 100)
            : DateTimeOffset.FromUnixTimeSeconds(message.Time ?? 0);
}
