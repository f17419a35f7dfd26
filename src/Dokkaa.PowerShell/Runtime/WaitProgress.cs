using Dokkaa.Core.Operations;

namespace Dokkaa.PowerShell;

/// <summary>What Wait-DokkaaManifest shows in its progress bar for one status report.</summary>
public static class WaitProgress
{
    public static string Activity(string app, string name) => $"Waiting for {app}/{name}";

    public static string Status(ManifestStatusInfo status)
    {
        ArgumentNullException.ThrowIfNull(status);
        var text = $"{status.Running} of {status.Desired} running, {status.Pending} pending, {status.Outdated} outdated";
        if (status.ObservedRevision < status.ManifestRevision)
            text += "; agents have not seen the latest manifest yet";
        return text;
    }

    /// <summary>0-100; a manifest of scale 0 is done when nothing runs.</summary>
    public static int Percent(ManifestStatusInfo status)
    {
        ArgumentNullException.ThrowIfNull(status);
        if (status.Converged)
            return 100;
        if (status.Desired <= 0)
            return 0;
        return Math.Clamp(status.Running * 100 / status.Desired, 0, 99);
    }
}
