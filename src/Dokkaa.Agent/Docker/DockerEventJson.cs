using System.Text.Json;

namespace Dokkaa.Agent.Docker;

/// <summary>Reads one line of <c>GET /events</c> into a <see cref="DockerEvent"/>.</summary>
internal static class DockerEventJson
{
    /// <summary>The event, or null for a line that is not a container event (other types, garbage).</summary>
    public static DockerEvent? Parse(string line)
    {
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(line);
            root = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            // One unreadable line must not end a stream the agent depends on.
            return null;
        }

        if (root.ValueKind != JsonValueKind.Object)
            return null;
        var type = root.String("Type");
        if (type is not null && type != "container")
            return null;
        var actor = root.Child("Actor") ?? default;
        var id = actor.String("ID") ?? root.String("id");
        // "status" is the pre-1.22 name of Action; both are sent for container events.
        var action = root.String("Action") ?? root.String("status");
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

        return new DockerEvent(action, id, actor.StringMap("Attributes"), Time(root)) { Detail = detail };
    }

    private static DateTimeOffset Time(JsonElement root)
    {
        var nanos = root.Long("timeNano");
        if (nanos > 0)
            return DateTimeOffset.UnixEpoch.AddTicks(nanos / 100);
        return DateTimeOffset.FromUnixTimeSeconds(root.Long("time"));
    }
}
