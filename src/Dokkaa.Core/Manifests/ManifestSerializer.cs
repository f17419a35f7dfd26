using System.Text.Json;

namespace Dokkaa.Core.Manifests;

// TEMPORARY STUB: replaced by the real serializer from the manifest branch.
public static class ManifestSerializer
{
    public static string ToCanonicalJson(Manifest m) => JsonSerializer.Serialize(m);
    public static string Hash(Manifest m) => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(ToCanonicalJson(m))))[..16].ToLowerInvariant();
}
