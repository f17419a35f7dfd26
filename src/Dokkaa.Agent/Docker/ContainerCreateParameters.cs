using System.Globalization;
using Docker.DotNet.Models;

namespace Dokkaa.Agent.Docker;

/// <summary>Docker.DotNet's <c>POST /containers/create</c> parameters for a <see cref="ContainerSpec"/>.</summary>
internal static class ContainerCreateParameters
{
    public static CreateContainerParameters Build(ContainerSpec spec, DockerClientOptions options) => new()
    {
        Name = spec.Name,
        Image = spec.Image,
        // Absent, not empty: an empty Cmd would not fall back to the image's CMD.
        Cmd = spec.Command is { Count: > 0 } command ? command.ToList() : null,
        Env = spec.Env.Select(e => $"{e.Key}={e.Value}").ToList(),
        Labels = new Dictionary<string, string>(spec.Labels),
        ExposedPorts = spec.ExposedPorts.ToDictionary(PortKey, _ => default(EmptyStruct)),
        HostConfig = new HostConfig
        {
            PublishAllPorts = spec.PublishAllPorts,
            DNS = spec.Dns.ToList(),
            ExtraHosts = spec.ExtraHosts.ToList(),
            // Set on every container rather than trusting the daemon's default driver and its (unbounded) default size.
            LogConfig = new LogConfig
            {
                Type = "json-file",
                Config = new Dictionary<string, string>
                {
                    ["max-size"] = options.LogMaxSize,
                    ["max-file"] = options.LogMaxFiles.ToString(CultureInfo.InvariantCulture),
                },
            },
            // Zero is "no limit" for the daemon as for the spec.
            NanoCPUs = Math.Max(0, spec.NanoCpus),
            Memory = Math.Max(0, spec.MemoryBytes),
            PidsLimit = spec.PidsLimit > 0 ? spec.PidsLimit : null,
        },
    };

    /// <summary><c>80</c> means <c>80/tcp</c>, as in a Dockerfile's EXPOSE.</summary>
    private static string PortKey(string port)
    {
        var trimmed = port.Trim();
        return trimmed.Contains('/', StringComparison.Ordinal) ? trimmed : $"{trimmed}/tcp";
    }
}
