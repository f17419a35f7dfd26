using System.Text.Json;
using Dokkaa.Core.Manifests.Rules;

namespace Dokkaa.Core.Manifests.Parsing;

/// <summary>
/// Reads <c>env</c>: variable name -> text. Values must be JSON strings: a number or boolean would need a
/// formatting rule (1e3? True?) and a quiet conversion is where surprises come from.
/// </summary>
internal static class EnvReader
{
    public static Dictionary<string, string> Read(JsonElement value, string path, ErrorList errors)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        if (value.ValueKind != JsonValueKind.Object)
        {
            JsonValues.WrongType(value, path, "an object of variable name -> string", errors);
            return env;
        }

        foreach (var (name, varPath, item) in ObjectFields.Read(value, path, errors))
        {
            if (EnvName.Check(name) is { } reason)
            {
                errors.Add(varPath, $"{Text.Quote(name)} {reason}");
            }

            if (item.ValueKind is JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False)
            {
                var raw = item.GetRawText();
                errors.Add(varPath, $"expected a string, got {JsonValues.Describe(item.ValueKind)} {raw}; write \"{raw}\" to pass it as text");
            }
            else if (JsonValues.TryReadString(item, varPath, errors, out var text))
            {
                // The environment is a block of C strings: a NUL would cut the value short.
                if (text.Contains('\0'))
                {
                    errors.Add(varPath, "must not contain a NUL character");
                }

                env[name] = text;
            }
        }

        return env;
    }
}
