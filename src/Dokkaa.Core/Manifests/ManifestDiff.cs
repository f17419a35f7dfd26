namespace Dokkaa.Core.Manifests;

/// <summary>
/// Says in one line what writing a manifest would change: what <c>-WhatIf</c>/<c>-Confirm</c> and
/// <c>dokkaa apply --dry-run</c> show. Each field of <see cref="ManifestSchema"/> says how its own change
/// reads, in the schema's order.
/// </summary>
public static class ManifestDiff
{
    public static string Describe(Manifest? before, Manifest after)
    {
        ArgumentNullException.ThrowIfNull(after);
        if (before is null)
            return "create: " + Summary(after);
        if (before == after)
            return "no change";

        var changes = ManifestSchema.Fields.Select(f => f.Change(before, after)).OfType<string>().ToList();
        return changes.Count == 0 ? "no change" : string.Join("; ", changes);
    }

    /// <summary>The essentials of a manifest: <c>image dockerfile/nginx, scale 1, services nginx=80/tcp</c>.</summary>
    public static string Summary(Manifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        return string.Join(", ", ManifestSchema.Fields.Select(f => f.Summary(manifest)).OfType<string>());
    }
}
