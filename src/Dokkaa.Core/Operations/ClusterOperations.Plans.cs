using Dokkaa.Core.Cluster;
using Dokkaa.Core.Manifests;

namespace Dokkaa.Core.Operations;

/// <summary>Writes described before they are made: what <c>-WhatIf</c> and <c>dokkaa apply --dry-run</c> show.</summary>
public sealed partial class ClusterOperations
{
    /// <summary>
    /// What <see cref="SetManifestAsync"/> would change, without writing: the same checks (names, manifest) and
    /// the manifest stored now, with its revision, so the write can be guarded by what was shown.
    /// </summary>
    public async Task<ManifestSetPlan> PlanSetManifestAsync(string app, string name, Manifest manifest, CancellationToken cancellationToken = default)
    {
        ValidateNames(app, name);
        ValidateManifest(manifest);
        var kv = await ReadOneAsync(KeyLayout.Manifest(app, name), cancellationToken).ConfigureAwait(false);
        if (kv is null)
            return new ManifestSetPlan(app, name, manifest, null);
        var stored = StoredManifest.Read(app, name, kv.Value, out var errors);
        return new ManifestSetPlan(app, name, manifest, new ManifestInfo(app, name, stored, kv.Value, errors, kv.ModRevision));
    }
}
