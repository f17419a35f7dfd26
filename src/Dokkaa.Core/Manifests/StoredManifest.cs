namespace Dokkaa.Core.Manifests;

/// <summary>
/// Reads a manifest as stored under <c>/apps/&lt;app&gt;/&lt;name&gt;/manifest</c>: the names in its key and its JSON.
/// The agents' view and the tools both read through here, so what an agent refuses to run is what
/// <c>dokkaa get</c> and Get-DokkaaManifest show as invalid.
/// </summary>
public static class StoredManifest
{
    /// <summary>The manifest when both key and JSON are valid; otherwise null and every error found.</summary>
    public static Manifest? Read(string app, string name, string raw, out IReadOnlyList<ManifestError> errors)
    {
        var keyErrors = ResourceNames.CheckKey(app, name);
        var parsed = ManifestParser.TryParse(raw, out var manifest, out var jsonErrors);
        if (keyErrors.Count == 0)
        {
            errors = jsonErrors;
            return parsed ? manifest : null;
        }

        errors = keyErrors.Concat(jsonErrors).ToList();
        return null;
    }
}
