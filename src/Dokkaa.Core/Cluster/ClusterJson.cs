using System.Text.Json;
using System.Text.Json.Serialization;

namespace Dokkaa.Core.Cluster;

/// <summary>One JSON style for every runtime record under /dokkaa/ (camelCase, compact, nulls omitted).</summary>
public static class ClusterJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = false,
    };

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    /// <summary>Reads a record; null if the value is not a valid record (a hand-written key must not crash anyone).</summary>
    public static T? TryDeserialize<T>(string json) where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(json, Options);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
