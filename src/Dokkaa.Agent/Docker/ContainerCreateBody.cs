using System.Globalization;
using System.Text.Json.Nodes;

namespace Dokkaa.Agent.Docker;

/// <summary>Writes the body of <c>POST /containers/create</c> for a <see cref="ContainerSpec"/>.</summary>
internal static class ContainerCreateBody
{
    public static JsonObject Build(ContainerSpec spec, DockerClientOptions options)
    {
        var body = new JsonObject
        {
            ["Image"] = spec.Image,
            ["Env"] = Array(spec.Env.Select(e => $"{e.Key}={e.Value}")),
            ["Labels"] = Object(spec.Labels),
            ["ExposedPorts"] = new JsonObject(spec.ExposedPorts.Select(p => KeyValuePair.Create(PortKey(p), (JsonNode?)new JsonObject()))),
            ["HostConfig"] = new JsonObject
            {
                ["PublishAllPorts"] = spec.PublishAllPorts,
                ["Dns"] = Array(spec.Dns),
                ["ExtraHosts"] = Array(spec.ExtraHosts),
                // Set on every container rather than trusting the daemon's default driver and its (unbounded) default size.
                ["LogConfig"] = new JsonObject
                {
                    ["Type"] = "json-file",
                    ["Config"] = new JsonObject
                    {
                        ["max-size"] = options.LogMaxSize,
                        ["max-file"] = options.LogMaxFiles.ToString(CultureInfo.InvariantCulture),
                    },
                },
            },
        };
        var hostConfig = (JsonObject)body["HostConfig"]!;
        if (spec.NanoCpus > 0)
            hostConfig["NanoCpus"] = spec.NanoCpus;
        if (spec.MemoryBytes > 0)
            hostConfig["Memory"] = spec.MemoryBytes;
        if (spec.PidsLimit > 0)
            hostConfig["PidsLimit"] = spec.PidsLimit;

        // Absent, not empty: an empty Cmd would not fall back to the image's CMD.
        if (spec.Command is { Count: > 0 } command)
            body["Cmd"] = Array(command);
        return body;
    }

    /// <summary><c>80</c> means <c>80/tcp</c>, as in a Dockerfile's EXPOSE.</summary>
    internal static string PortKey(string port)
    {
        var trimmed = port.Trim();
        return trimmed.Contains('/', StringComparison.Ordinal) ? trimmed : $"{trimmed}/tcp";
    }

    private static JsonArray Array(IEnumerable<string> items) => new(items.Select(i => (JsonNode?)JsonValue.Create(i)).ToArray());

    private static JsonObject Object(IReadOnlyDictionary<string, string> map) =>
        new(map.Select(e => KeyValuePair.Create(e.Key, (JsonNode?)JsonValue.Create(e.Value))));
}
