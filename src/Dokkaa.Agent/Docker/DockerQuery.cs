using System.Text.Json.Nodes;

namespace Dokkaa.Agent.Docker;

/// <summary>Pieces of request URIs: escaped path segments and the JSON <c>filters</c> parameter.</summary>
internal static class DockerQuery
{
    /// <summary>
    /// Escapes an id, a container name or an image reference for the path. Slashes stay: image names
    /// like <c>dockerfile/nginx</c> are matched by the daemon's router as several segments.
    /// </summary>
    public static string Path(string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        return string.Join('/', value.Split('/').Select(Uri.EscapeDataString));
    }

    /// <summary><c>filters={"label":["k=v","k2"], ...}</c>, escaped; empty when there is nothing to filter on.</summary>
    public static string Filters(IReadOnlyDictionary<string, string?> labels, params (string Key, string Value)[] others)
    {
        var filters = new JsonObject();
        foreach (var group in others.GroupBy(o => o.Key))
            filters[group.Key] = new JsonArray(group.Select(o => (JsonNode?)JsonValue.Create(o.Value)).ToArray());
        if (labels.Count > 0)
            filters["label"] = new JsonArray(labels.Select(l => (JsonNode?)JsonValue.Create(l.Value is null ? l.Key : $"{l.Key}={l.Value}")).ToArray());
        return filters.Count == 0 ? "" : "filters=" + Uri.EscapeDataString(filters.ToJsonString());
    }
}
