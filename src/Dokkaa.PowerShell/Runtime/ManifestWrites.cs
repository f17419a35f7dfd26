using Dokkaa.Core.Manifests;
using Dokkaa.Core.Operations;

namespace Dokkaa.PowerShell;

/// <summary>
/// A write the cmdlet is about to make: what it replaces and how to say it. The cmdlet shows
/// <see cref="Action"/> on <see cref="Target"/> to ShouldProcess (<c>-WhatIf</c>, <c>-Confirm</c>) and only
/// then calls <c>ManifestWrites.ExecuteAsync</c>, which writes exactly this change: it is guarded
/// by the revision that was read, so a manifest changed in between is a conflict, never overwritten.
/// </summary>
public sealed record ManifestWritePlan(string App, string Name, Manifest Manifest, ManifestInfo? Current, string Action)
{
    public string Target => $"{App}/{Name}";

    public bool IsChange => Current?.Manifest is not { } current || current != Manifest;
}

/// <summary>A manifest about to be removed (for ShouldProcess) and what it was.</summary>
public sealed record ManifestRemovePlan(ManifestInfo Current)
{
    public string Target => $"{Current.App}/{Current.Name}";

    public string Action => Current.Manifest is { } manifest ? "Remove manifest: " + ManifestDiff.Summary(manifest) : "Remove manifest (invalid in etcd)";
}

/// <summary>The steps of Set-, Update- and Remove-DokkaaManifest, without PowerShell, so they can be tested against etcd.</summary>
public static class ManifestWrites
{
    /// <summary>Reads what is there now and describes the change; validates first, so -WhatIf already reports an invalid manifest.</summary>
    public static async Task<ManifestWritePlan> PlanSetAsync(ClusterOperations operations, string app, string name, Manifest manifest, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operations);
        var plan = await operations.PlanSetManifestAsync(app, name, manifest, cancellationToken).ConfigureAwait(false);
        return new ManifestWritePlan(plan.App, plan.Name, plan.Manifest, plan.Current, plan.Action);
    }

    /// <summary>
    /// Applies a partial change to <paramref name="current"/> (as piped in, with its revision) or, when null,
    /// to the manifest read now.
    /// </summary>
    public static async Task<ManifestWritePlan> PlanUpdateAsync(ClusterOperations operations, string app, string name, ManifestInfo? current, ManifestEdit edit, Func<object, object?>? unwrap = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operations);
        ArgumentNullException.ThrowIfNull(edit);
        ManifestTarget.Validate(app, name);
        current ??= await operations.GetManifestAsync(app, name, cancellationToken).ConfigureAwait(false);
        if (current.Manifest is not { } manifest)
        {
            throw new DokkaaException(DokkaaErrorKind.ManifestInvalid,
                $"Manifest {app}/{name} in etcd is invalid ({string.Join("; ", current.Errors)}); replace it with Set-DokkaaManifest before updating it.");
        }

        var updated = edit.ApplyTo(manifest, unwrap);
        Validate(updated);
        return new ManifestWritePlan(app, name, updated, current, "Update manifest: " + ManifestDiff.Describe(manifest, updated));
    }

    /// <summary>Writes the plan, guarded by the revision it was planned against (0: only if still absent).</summary>
    public static Task<ManifestChange> ExecuteAsync(ClusterOperations operations, ManifestWritePlan plan, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operations);
        ArgumentNullException.ThrowIfNull(plan);
        return operations.SetManifestAsync(plan.App, plan.Name, plan.Manifest, plan.Current?.Revision ?? 0, cancellationToken);
    }

    public static async Task<ManifestRemovePlan> PlanRemoveAsync(ClusterOperations operations, string app, string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operations);
        // No name rule here: a key whose names break it (written by hand) must still be removable.
        return new ManifestRemovePlan(await operations.GetManifestAsync(app, name, cancellationToken).ConfigureAwait(false));
    }

    public static Task ExecuteAsync(ClusterOperations operations, ManifestRemovePlan plan, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operations);
        ArgumentNullException.ThrowIfNull(plan);
        return operations.RemoveManifestAsync(plan.Current.App, plan.Current.Name, cancellationToken);
    }

    /// <summary>
    /// Manifests by app and name. Without wildcards in both, a missing manifest is
    /// <see cref="DokkaaErrorKind.ManifestNotFound"/> (as Get-Item reports a missing literal path);
    /// with wildcards, no match is simply nothing.
    /// </summary>
    public static async Task<IReadOnlyList<ManifestInfo>> GetAsync(ClusterOperations operations, string? app, string? name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operations);
        if (app is not null && name is not null && !Glob.HasWildcards(app) && !Glob.HasWildcards(name))
            return new[] { await operations.GetManifestAsync(app, name, cancellationToken).ConfigureAwait(false) };
        return await operations.GetManifestsAsync(app, name, cancellationToken).ConfigureAwait(false);
    }

    private static void Validate(Manifest manifest)
    {
        try
        {
            ManifestParser.Validate(manifest);
        }
        catch (ManifestValidationException e)
        {
            throw new DokkaaException(DokkaaErrorKind.ManifestInvalid, e.Message, e);
        }
    }
}
