using Dokkaa.Core.Operations;

namespace Dokkaa.PowerShell;

/// <summary>What Connect-DokkaaCluster checks before it makes a cluster the session's default.</summary>
public static class ClusterProbe
{
    /// <summary>Reads the live hosts once; returns how many there are.</summary>
    /// <exception cref="DokkaaException"><see cref="DokkaaErrorKind.ClusterUnreachable"/>.</exception>
    public static async Task<int> CheckAsync(DokkaaCluster cluster, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        return (await cluster.Operations.GetHostsAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Count;
    }
}

/// <summary>Service names as Resolve-DokkaaService takes them: <c>nginx</c>, or <c>nginx.shop</c> for app shop (the link syntax).</summary>
public static class ServiceName
{
    public static (string Service, string? App) Parse(string service, string? app)
    {
        ArgumentNullException.ThrowIfNull(service);
        var dot = service.IndexOf('.', StringComparison.Ordinal);
        if (dot > 0 && dot < service.Length - 1 && string.IsNullOrEmpty(app))
            return (service[..dot], service[(dot + 1)..]);
        return (service, string.IsNullOrEmpty(app) ? null : app);
    }
}
