using System.Text.Json;

namespace Dokkaa.Agent.Docker;

/// <summary>Lenient reads of the daemon's JSON: a missing or null field is "absent", never an exception.</summary>
internal static class JsonElementExtensions
{
    public static JsonElement? Child(this JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null
            ? value
            : null;

    public static string? String(this JsonElement element, string name) =>
        element.Child(name) is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;

    public static bool Bool(this JsonElement element, string name) =>
        element.Child(name) is { ValueKind: JsonValueKind.True };

    public static long Long(this JsonElement element, string name) =>
        element.Child(name) is { ValueKind: JsonValueKind.Number } value && value.TryGetInt64(out var number) ? number : 0;

    /// <summary>A JSON object of strings (labels, attributes) as a dictionary; absent: empty.</summary>
    public static IReadOnlyDictionary<string, string> StringMap(this JsonElement element, string name)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        if (element.Child(name) is { ValueKind: JsonValueKind.Object } value)
        {
            foreach (var property in value.EnumerateObject())
                map[property.Name] = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : property.Value.GetRawText();
        }

        return map;
    }

    public static IEnumerable<JsonElement> Array(this JsonElement element, string name) =>
        element.Child(name) is { ValueKind: JsonValueKind.Array } value ? value.EnumerateArray() : [];
}
