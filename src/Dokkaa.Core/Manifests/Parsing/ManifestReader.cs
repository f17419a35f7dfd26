using System.Text.Json;
using Dokkaa.Core.Manifests.Rules;

namespace Dokkaa.Core.Manifests.Parsing;

/// <summary>
/// Reads the top level of a manifest: hands each field to its <see cref="ManifestField"/> in
/// <see cref="ManifestSchema"/>, rejects unknown fields, checks the rules between fields, and gives a
/// <see cref="Manifest"/> only when nothing at all was wrong.
/// </summary>
internal static class ManifestReader
{
    public const int MaxScale = 1000;

    public static Manifest? Read(JsonElement root, ErrorList errors)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            JsonValues.WrongType(root, JsonPath.Root, "a manifest object", errors);
            return null;
        }

        var manifest = Blank;
        var fields = ManifestSchema.Fields;
        ulong seen = 0, failed = 0; // bit i: fields[i] was named, had an error
        string? httpPath = null;
        foreach (var (name, path, value) in ObjectFields.Read(root, JsonPath.Root, errors))
        {
            var index = ManifestSchema.IndexOf(name);
            if (index < 0)
            {
                errors.Add(path, ObjectFields.Unknown(name, ManifestSchema.Names));
                continue;
            }

            var before = errors.Count;
            manifest = fields[index].Read(manifest, value, path, errors);
            seen |= 1UL << index;
            if (errors.Count > before)
                failed |= 1UL << index;
            if (fields[index] == ManifestSchema.Http)
                httpPath = path;
        }

        for (var i = 0; i < fields.Count; i++)
        {
            if (fields[i].Required && (seen & (1UL << i)) == 0)
                errors.Add(JsonPath.Property(JsonPath.Root, fields[i].Name), "required");
        }

        // Only against services that were read in full: a service with an error of its own proves nothing.
        if (manifest.Http is { } http && (failed & (1UL << ManifestSchema.IndexOf(ManifestSchema.Services.Name))) == 0 && HttpPort.Check(http.Port, manifest.Services) is { } portError)
        {
            errors.Add(JsonPath.Property(httpPath!, "port"), portError);
        }

        return errors.Count > 0 ? null : manifest;
    }

    // Every field at its default; the readers give read-only views, so no caller can change a manifest (and its hash) behind its back.
    private static readonly Manifest Blank = new() { Image = "" };

    internal static string? ReadImage(JsonElement value, string path, ErrorList errors)
    {
        if (!JsonValues.TryReadString(value, path, errors, out var image))
        {
            return null;
        }

        if (ImageReference.Check(image) is { } reason)
        {
            errors.Add(path, $"{Text.Quote(image)} is not a valid image reference: {reason}");
            return null;
        }

        return image;
    }

    internal static int ReadScale(JsonElement value, string path, ErrorList errors)
    {
        if (value.ValueKind != JsonValueKind.Number)
        {
            JsonValues.WrongType(value, path, $"an integer 0-{MaxScale}", errors);
            return 0;
        }

        var kind = JsonValues.ClassifyInteger(value, out var scale);
        if (kind == IntegerKind.NotInteger || scale < 0)
        {
            errors.Add(path, $"must be an integer >= 0, got {value.GetRawText()}");
        }
        else if (kind == IntegerKind.TooLarge || scale > MaxScale)
        {
            errors.Add(path, $"must be at most {MaxScale}, got {value.GetRawText()}");
        }

        return (int)Math.Clamp(scale, 0, MaxScale);
    }
}
