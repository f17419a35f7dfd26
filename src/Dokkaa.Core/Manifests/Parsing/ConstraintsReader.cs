using System.Text.Json;
using Dokkaa.Core.Manifests.Rules;

namespace Dokkaa.Core.Manifests.Parsing;

/// <summary>Reads <c>constraints</c>: host label -> required value, e.g. <c>{"zone": "eu-1", "ssd": "true"}</c>.</summary>
internal static class ConstraintsReader
{
    public static Dictionary<string, string> Read(JsonElement value, string path, ErrorList errors)
    {
        var constraints = new Dictionary<string, string>(StringComparer.Ordinal);
        if (value.ValueKind != JsonValueKind.Object)
        {
            JsonValues.WrongType(value, path, """an object of host label -> value, like {"zone": "eu-1"}""", errors);
            return constraints;
        }

        foreach (var (name, labelPath, item) in ObjectFields.Read(value, path, errors))
        {
            if (HostLabel.CheckName(name) is { } nameReason)
            {
                errors.Add(labelPath, $"{Text.Quote(name)} {nameReason}");
            }

            if (JsonValues.TryReadString(item, labelPath, errors, out var text))
            {
                if (HostLabel.CheckValue(text) is { } valueReason)
                {
                    errors.Add(labelPath, $"{Text.Quote(text)} {valueReason}");
                }

                constraints[name] = text;
            }
        }

        return constraints;
    }
}
