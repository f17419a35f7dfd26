namespace Dokkaa.Core.Manifests.Rules;

/// <summary>
/// The rule for <c>http.port</c>: it must be the container port of one of the manifest's tcp services. Only
/// service ports are exposed and published (<c>PublishAllPorts</c>), so any other port has no host port for
/// nginx to reach, and the route would answer 503 for ever while the instances run.
/// </summary>
internal static class HttpPort
{
    /// <summary>Null when <paramref name="port"/> is a tcp service port of <paramref name="services"/>, else why not.</summary>
    public static string? Check(int port, IReadOnlyDictionary<string, ServicePort> services)
    {
        if (services.Values.Any(s => s.Port == port && s.Protocol == "tcp"))
        {
            return null;
        }

        if (services.Count == 0)
        {
            return $"{port} is not published: the manifest has no services; add one for container port {port}/tcp";
        }

        var ports = string.Join(", ", services.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"{s.Key} {s.Value.Port}/{s.Value.Protocol}"));
        return $"{port} is not the tcp port of any of the manifest's services ({ports}); only service ports are published";
    }
}
