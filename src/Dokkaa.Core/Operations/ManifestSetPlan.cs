using Dokkaa.Core.Manifests;

namespace Dokkaa.Core.Operations;

/// <summary>
/// Writing <see cref="Manifest"/> to <see cref="App"/>/<see cref="Name"/> over what is stored now
/// (<see cref="Current"/>, null when nothing is). <see cref="Action"/> is the one line every face shows for it:
/// Set-DokkaaManifest's <c>-WhatIf</c> and <c>dokkaa apply --dry-run</c>.
/// </summary>
public sealed record ManifestSetPlan(string App, string Name, Manifest Manifest, ManifestInfo? Current)
{
    public string Target => $"{App}/{Name}";

    /// <summary><c>Set manifest: scale 1 -> 3</c>; a stored manifest that does not validate is replaced, not diffed.</summary>
    public string Action => "Set manifest: " + Current switch
    {
        null => ManifestDiff.Describe(null, Manifest),
        { Manifest: { } stored } => ManifestDiff.Describe(stored, Manifest),
        _ => "replace invalid: " + ManifestDiff.Summary(Manifest),
    };
}
