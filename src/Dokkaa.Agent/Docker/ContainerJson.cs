using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Dokkaa.Agent.Docker;

/// <summary>Reads the daemon's container JSON (<c>/containers/json</c>, <c>/containers/{id}/json</c>) into Dokkaa's records.</summary>
internal static class ContainerJson
{
    public static ContainerSummary ToSummary(JsonElement row)
    {
        var name = row.Array("Names").Select(n => n.GetString()).FirstOrDefault(n => n is not null) ?? "";
        return new ContainerSummary(
            row.String("Id") ?? "",
            name.TrimStart('/'),
            row.String("Image") ?? "",
            row.String("State") ?? "",
            row.StringMap("Labels"));
    }

    public static ContainerDetails ToDetails(JsonElement root)
    {
        var state = root.Child("State") ?? default;
        var config = root.Child("Config") ?? default;
        var network = root.Child("NetworkSettings") ?? default;
        return new ContainerDetails
        {
            Id = root.String("Id") ?? "",
            Name = (root.String("Name") ?? "").TrimStart('/'),
            // Config.Image is the reference the container was created from; the top-level Image is its id.
            Image = config.String("Image") ?? root.String("Image") ?? "",
            ImageId = root.String("Image"),
            Running = state.Bool("Running"),
            Status = state.String("Status") ?? "",
            ExitCode = (int)state.Long("ExitCode"),
            Error = string.IsNullOrEmpty(state.String("Error")) ? null : state.String("Error"),
            StartedAt = Time(state.String("StartedAt")),
            FinishedAt = Time(state.String("FinishedAt")),
            Labels = config.StringMap("Labels"),
            Env = Env(config),
            Ports = Ports(network),
            IpAddress = string.IsNullOrEmpty(network.String("IPAddress")) ? null : network.String("IPAddress"),
        };
    }

    // Docker writes 0001-01-01T00:00:00Z for "never" (not started yet, not finished yet).
    private static DateTimeOffset? Time(string? text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) && time.Year > 1
            ? time
            : null;

    private static Dictionary<string, string> Env(JsonElement config)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in config.Array("Env"))
        {
            var text = entry.GetString() ?? "";
            var equals = text.IndexOf('=', StringComparison.Ordinal);
            if (equals < 0)
                env[text] = "";
            else
                env[text[..equals]] = text[(equals + 1)..];
        }

        return env;
    }

    /// <summary>
    /// <c>"80/tcp": [{"HostIp":"0.0.0.0","HostPort":"49153"}, {"HostIp":"::","HostPort":"49153"}]</c> to
    /// 80/tcp: 49153. The IPv4 binding wins: hosts advertise IPv4 addresses. Unpublished ports (null) are left out.
    /// </summary>
    private static Dictionary<string, int> Ports(JsonElement network)
    {
        var ports = new Dictionary<string, int>(StringComparer.Ordinal);
        if (network.Child("Ports") is not { ValueKind: JsonValueKind.Object } map)
            return ports;
        foreach (var port in map.EnumerateObject())
        {
            if (port.Value.ValueKind != JsonValueKind.Array)
                continue;
            var bindings = port.Value.EnumerateArray()
                .Select(b => (Ip: b.String("HostIp") ?? "", Port: int.TryParse(b.String("HostPort"), CultureInfo.InvariantCulture, out var p) ? p : 0))
                .Where(b => b.Port > 0)
                .ToList();
            if (bindings.Count == 0)
                continue;
            var chosen = bindings.FirstOrDefault(b => IsIPv4(b.Ip), bindings[0]);
            ports[port.Name] = chosen.Port;
        }

        return ports;
    }

    private static bool IsIPv4(string ip) =>
        ip.Length == 0 || (IPAddress.TryParse(ip, out var address) && address.AddressFamily == AddressFamily.InterNetwork);
}
