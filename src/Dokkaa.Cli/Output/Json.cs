using System.Text.Json;
using System.Text.Json.Serialization;

namespace Dokkaa.Cli.Output;

/// <summary>-o json: the same records the cmdlets emit, for scripts in other shells.</summary>
public static class Json
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter() },
    };

    public static void Write<T>(TextWriter writer, T value) => writer.WriteLine(JsonSerializer.Serialize(value, Options));
}
