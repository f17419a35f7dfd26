using System.Text.Json;
using Dokkaa.Testing;

namespace Dokkaa.Cluster.Tests.Support;

/// <summary>Manifest JSON for the test image (busybox httpd on port 80 answering "ok" by default).</summary>
public static class Manifests
{
    public static string Web(int scale, bool exclusive = false, IReadOnlyDictionary<string, string>? env = null) => JsonSerializer.Serialize(new Dictionary<string, object?>
    {
        ["image"] = TestImage.Name,
        ["scale"] = scale,
        ["services"] = new Dictionary<string, int> { ["web"] = 80 },
        ["exclusive"] = exclusive,
        ["env"] = env ?? new Dictionary<string, string>(),
    });

    /// <summary>A container that runs a shell loop (no service).</summary>
    public static string Shell(string script, IReadOnlyList<string>? links = null, int scale = 1) => JsonSerializer.Serialize(new Dictionary<string, object?>
    {
        ["image"] = TestImage.Name,
        ["scale"] = scale,
        ["command"] = new[] { "sh", "-c", script },
        ["links"] = links ?? Array.Empty<string>(),
    });
}
