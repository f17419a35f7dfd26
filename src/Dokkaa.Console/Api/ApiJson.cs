using System.Text.Json;
using Dokkaa.Core.Json;

namespace Dokkaa.WebConsole.Api;

/// <summary>The API's JSON: <see cref="JsonStyles.Output"/>, the same as <c>dokkaa -o json</c>.</summary>
internal static class ApiJson
{
    public static JsonSerializerOptions Options => JsonStyles.Output;

    public const string ProblemContentType = "application/problem+json";
}
