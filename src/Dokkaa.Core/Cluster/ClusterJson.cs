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
            // System.Text.Json (net8.0) lets an explicit null into a non-nullable member; code that reads the
            // records trusts those members, so a record with such a null is not a valid record either.
            var value = JsonSerializer.Deserialize<T>(json, Options);
            return value is IClusterRecord { IsWellFormed: false } ? null : value;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>A runtime record that can tell whether its non-nullable members really hold values.</summary>
internal interface IClusterRecord
{
    bool IsWellFormed { get; }
}
