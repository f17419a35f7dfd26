using System.Globalization;
using System.Text.Json;

using Dokkaa.Core.Manifests.Rules;

namespace Dokkaa.Core.Manifests.Parsing;

/// <summary>
/// Reads <c>resources</c>: <c>{"cpus": 0.5, "memory": "256m"}</c>. CPUs in cores with at most three
/// decimals; memory in bytes, or text with a k/m/g suffix (powers of 1024, as Docker reads them).
/// </summary>
internal static class ResourcesReader
{
    public const decimal MaxCpus = 1024m;
    public const long MinMemory = 6L * 1024 * 1024; // Docker refuses less than 6 MiB.

    public static ResourceRequest? Read(JsonElement value, string path, ErrorList errors)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            JsonValues.WrongType(value, path, """an object like {"cpus": 0.5, "memory": "256m"}""", errors);
            return null;
        }

        var before = errors.Count;
        int milliCpus = 0;
        long memory = 0;
        foreach (var (name, fieldPath, item) in ObjectFields.Read(value, path, errors))
        {
            switch (name)
            {
                case "cpus":
                    milliCpus = ReadCpus(item, fieldPath, errors);
                    break;
                case "memory":
                    memory = ReadMemory(item, fieldPath, errors);
                    break;
                default:
                    errors.Add(fieldPath, ObjectFields.Unknown(name, ManifestSchema.Resources.Members));
                    break;
            }
        }

        return errors.Count > before ? null : new ResourceRequest(milliCpus, memory);
    }

    private static int ReadCpus(JsonElement item, string path, ErrorList errors)
    {
        if (item.ValueKind != JsonValueKind.Number || !item.TryGetDecimal(out var cpus))
        {
            JsonValues.WrongType(item, path, "a number of cores, like 0.5", errors);
            return 0;
        }

        if (cpus <= 0 || cpus > MaxCpus || decimal.Round(cpus, 3) != cpus)
        {
            errors.Add(path, $"must be more than 0 and at most {MaxCpus} cores, in steps of 0.001, got {item.GetRawText()}");
            return 0;
        }

        return (int)(cpus * 1000);
    }

    private static long ReadMemory(JsonElement item, string path, ErrorList errors)
    {
        long bytes;
        if (item.ValueKind == JsonValueKind.Number)
        {
            if (JsonValues.ClassifyInteger(item, out bytes) != IntegerKind.Fits)
            {
                errors.Add(path, $"must be a whole number of bytes, got {item.GetRawText()}");
                return 0;
            }
        }
        else if (item.ValueKind == JsonValueKind.String)
        {
            var text = item.GetString()!;
            if (!TryParseSize(text, out bytes))
            {
                errors.Add(path, $"{Text.Quote(text)} is not a size: write bytes or a number with k, m or g, like \"256m\"");
                return 0;
            }
        }
        else
        {
            JsonValues.WrongType(item, path, "a size like \"256m\" or a number of bytes", errors);
            return 0;
        }

        if (bytes < MinMemory)
        {
            errors.Add(path, $"must be at least 6m (Docker's minimum), got {bytes} bytes");
            return 0;
        }

        return bytes;
    }

    private static bool TryParseSize(string text, out long bytes)
    {
        bytes = 0;
        if (text.Length == 0)
        {
            return false;
        }

        var multiplier = char.ToLowerInvariant(text[^1]) switch
        {
            'k' => 1024L,
            'm' => 1024L * 1024,
            'g' => 1024L * 1024 * 1024,
            _ => 1L,
        };
        var digits = multiplier == 1 ? text : text[..^1];
        if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number > long.MaxValue / multiplier)
        {
            return false;
        }

        bytes = number * multiplier;
        return true;
    }
}
