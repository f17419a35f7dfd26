using System.Text.Json;
using Dokkaa.Core.Json;

namespace Dokkaa.Core.Cluster;

/// <summary>Reads and writes the runtime records under /dokkaa/, in <see cref="JsonStyles.Records"/>.</summary>
public static class ClusterJson
{
    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, JsonStyles.Records);

    /// <summary>Reads a record; null if the value is not a valid record (a hand-written key must not crash anyone).</summary>
    public static T? TryDeserialize<T>(string json) where T : class
    {
        try
        {
            // System.Text.Json (net8.0) lets an explicit null into a non-nullable member; code that reads the
            // records trusts those members, so a record with such a null is not a valid record either.
            var value = JsonSerializer.Deserialize<T>(json, JsonStyles.Records);
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
