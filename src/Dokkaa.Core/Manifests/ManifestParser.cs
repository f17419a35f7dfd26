using System.Text.Json;

namespace Dokkaa.Core.Manifests;

// TEMPORARY STUB: replaced by the real parser from the manifest branch.
public static class ManifestParser
{
    public static Manifest Parse(string json) => JsonSerializer.Deserialize<Manifest>(json, new JsonSerializerOptions(JsonSerializerDefaults.Web))!;

    public static bool TryParse(string json, out Manifest? manifest, out IReadOnlyList<ManifestError> errors)
    {
        try { manifest = Parse(json); errors = Array.Empty<ManifestError>(); return true; }
        catch (Exception e) { manifest = null; errors = new[] { new ManifestError("$", e.Message) }; return false; }
    }
}
