using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Docker.DotNet.Models;

namespace Dokkaa.Agent.Docker;

/// <summary>Reads Docker.DotNet's container answers (list rows, inspect) into Dokkaa's records, leniently: a missing part is "absent".</summary>
internal static class ContainerMapping
{
    /// <summary>The network whose address <see cref="ContainerDetails.IpAddress"/> is: Docker's default bridge.</summary>
    private const string DefaultBridge = "bridge";

    public static ContainerSummary ToSummary(ContainerListResponse row)
    {
        var name = row.Names?.FirstOrDefault(n => n is not null) ?? "";
        return new ContainerSummary(row.ID ?? "", name.TrimStart('/'), row.Image ?? "", row.State ?? "", Map(row.Labels));
    }

    public static ContainerDetails ToDetails(ContainerInspectResponse inspect)
    {
        var state = inspect.State;
        var config = inspect.Config;
        return new ContainerDetails
        {
            Id = inspect.ID ?? "",
            Name = (inspect.Name ?? "").TrimStart('/'),
            // Config.Image is the reference the container was created from; the top-level Image is its id.
            Image = NullIfEmpty(config?.Image) ?? inspect.Image ?? "",
            ImageId = NullIfEmpty(inspect.Image),
            Running = state?.Running ?? false,
            Status = state?.Status ?? "",
            ExitCode = (int)(state?.ExitCode ?? 0),
            Error = NullIfEmpty(state?.Error),
            StartedAt = Time(state?.StartedAt),
            FinishedAt = Time(state?.FinishedAt),
            Labels = Map(config?.Labels),
            Env = Env(config?.Env),
            Ports = Ports(inspect.NetworkSettings?.Ports),
            IpAddress = inspect.NetworkSettings?.Networks is { } networks && networks.TryGetValue(DefaultBridge, out var bridge) ? NullIfEmpty(bridge?.IPAddress) : null,
        };
    }

    private static string? NullIfEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;

    private static Dictionary<string, string> Map(IDictionary<string, string>? map) =>
        map is null ? new(StringComparer.Ordinal) : new(map, StringComparer.Ordinal);

    // Docker writes 0001-01-01T00:00:00Z for "never" (not started yet, not finished yet).
    private static DateTimeOffset? Time(string? text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) && time.Year > 1
            ? time
            : null;

    private static Dictionary<string, string> Env(IList<string>? entries)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var text in entries ?? [])
        {
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
    private static Dictionary<string, int> Ports(IDictionary<string, IList<PortBinding>>? map)
    {
        var ports = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (port, bindings) in map ?? new Dictionary<string, IList<PortBinding>>())
        {
            var published = (bindings ?? [])
                .Select(b => (Ip: b.HostIP ?? "", Port: int.TryParse(b.HostPort, CultureInfo.InvariantCulture, out var p) ? p : 0))
                .Where(b => b.Port > 0)
                .ToList();
            if (published.Count == 0)
                continue;
            ports[port] = published.FirstOrDefault(b => IsIPv4(b.Ip), published[0]).Port;
        }

        return ports;
    }

    private static bool IsIPv4(string ip) =>
        ip.Length == 0 || (IPAddress.TryParse(ip, out var address) && address.AddressFamily == AddressFamily.InterNetwork);
}
