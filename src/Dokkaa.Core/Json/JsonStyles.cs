using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Dokkaa.Core.Json;

/// <summary>
/// The project's one JSON style: web defaults (camelCase, case-insensitive reading) and nulls left out. The
/// records the agents write under /dokkaa/ use it compact; what the faces show (<c>dokkaa -o json</c>, the
/// console's API) adds enums as names and no HTML escaping, so a script reads the same document from either.
/// </summary>
public static class JsonStyles
{
    /// <summary>Runtime records under /dokkaa/: compact, and escaped as System.Text.Json does by default.</summary>
    public static JsonSerializerOptions Records { get; } = Freeze(new JsonSerializerOptions(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    });

    /// <summary>
    /// What the faces print and serve. Never inlined into HTML (the API is served as JSON with nosniff, the CLI
    /// writes to a terminal or a pipe), so quotes, angle brackets and non-ASCII need no \u escapes.
    /// </summary>
    public static JsonSerializerOptions Output { get; } = Freeze(new JsonSerializerOptions(Records)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter() },
    });

    /// <summary><see cref="Output"/> indented, for a person reading <c>dokkaa -o json</c>.</summary>
    public static JsonSerializerOptions OutputIndented { get; } = Freeze(new JsonSerializerOptions(Output) { WriteIndented = true });

    private static JsonSerializerOptions Freeze(JsonSerializerOptions options)
    {
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
