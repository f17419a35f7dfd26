using System.Runtime.CompilerServices;

namespace Dokkaa.PowerShell;

/// <summary>
/// Picks the cluster a cmdlet talks to: its <c>-Cluster</c> parameter, else the session's
/// <c>Connect-DokkaaCluster</c>, else <c>$env:DOKKAA_ETCD</c>, else <see cref="DokkaaCluster.DefaultEndpoint"/>.
/// </summary>
internal static class ClusterResolver
{
    public static DokkaaCluster Resolve(DokkaaCluster? parameter, DokkaaCluster? session, string? environment)
    {
        if (parameter is not null)
            return parameter.Source == ClusterSource.Parameter ? parameter : parameter.As(ClusterSource.Parameter, parameter.ConnectedAt);
        if (session is not null)
            return session;
        if (!string.IsNullOrWhiteSpace(environment))
            return DokkaaCluster.Create(environment, ClusterSource.Environment);
        return DokkaaCluster.Create(DokkaaCluster.DefaultEndpoint, ClusterSource.Default);
    }
}

/// <summary>
/// The cluster <c>Connect-DokkaaCluster</c> chose, per PowerShell session. The key is the session's
/// runspace, held weakly, so a closed runspace takes its connection with it and parallel runspaces
/// (<c>ForEach-Object -Parallel</c>, jobs) do not overwrite each other's choice.
/// </summary>
internal static class SessionConnections
{
    private static readonly ConditionalWeakTable<object, DokkaaCluster> Table = new();
    private static readonly object NoSession = new();

    public static DokkaaCluster? Get(object? session) => Table.TryGetValue(session ?? NoSession, out var cluster) ? cluster : null;

    public static void Set(object? session, DokkaaCluster cluster) => Table.AddOrUpdate(session ?? NoSession, cluster);

    /// <summary>Forgets the session's cluster; returns what it was.</summary>
    public static DokkaaCluster? Remove(object? session)
    {
        var key = session ?? NoSession;
        if (!Table.TryGetValue(key, out var cluster))
            return null;
        Table.Remove(key);
        return cluster;
    }
}
