using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Dokkaa.WebConsole.Api;

/// <summary>The API's JSON: the same style as <c>dokkaa -o json</c> (camelCase, enums as names, nulls left out).</summary>
internal static class ApiJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        // Served as JSON with nosniff, never inlined into HTML: quotes and angle brackets need no \u escapes.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter() },
    };

    public const string ProblemContentType = "application/problem+json";
}
