using System.Text.Json;
using Dokkaa.Core.Json;

namespace Dokkaa.Cli.Output;

/// <summary>-o json: the same records the cmdlets emit, for scripts in other shells, in <see cref="JsonStyles.OutputIndented"/>.</summary>
public static class Json
{
    public static void Write<T>(TextWriter writer, T value) => writer.WriteLine(JsonSerializer.Serialize(value, JsonStyles.OutputIndented));
}
