namespace Dokkaa.Dev;

/// <summary>
/// Turns on etcd authentication in a secured dev cluster with etcdctl (as root, by its client certificate): the
/// users root, agent and operator with their generated passwords (given on standard input, never on a command
/// line) and the two roles Dokkaa needs. Agents read everything and write only their runtime keys; operators read
/// everything and write manifests and the drain and evict requests of `dokkaa drain` and `dokkaa rebalance`.
/// </summary>
public static class DevEtcdAuth
{
    /// <summary>(role, permission, key prefix): every grant, in the order etcdctl makes them.</summary>
    public static readonly IReadOnlyList<(string Role, string Permission, string Prefix)> Grants = new[]
    {
        (DevSecurity.AgentRole, "read", "/"),
        (DevSecurity.AgentRole, "readwrite", Core.Cluster.KeyLayout.RuntimePrefix),
        (DevSecurity.OperatorRole, "read", "/"),
        (DevSecurity.OperatorRole, "readwrite", Core.Cluster.KeyLayout.AppsPrefix),
        (DevSecurity.OperatorRole, "readwrite", Core.Cluster.KeyLayout.DrainPrefix),
        (DevSecurity.OperatorRole, "readwrite", Core.Cluster.KeyLayout.EvictPrefix),
    };

    public static async Task EnableAsync(DevClusterState state, CancellationToken cancellationToken = default)
    {
        var security = state.Etcd.Security ?? throw new DevException($"dev cluster {state.Name} is not secured (dokkaa dev up --secure)");
        foreach (var role in new[] { DevSecurity.AgentRole, DevSecurity.OperatorRole })
            await EtcdctlAsync(state, security.Root, cancellationToken, null, "role", "add", role).ConfigureAwait(false);
        foreach (var (role, permission, prefix) in Grants)
            await EtcdctlAsync(state, security.Root, cancellationToken, null, "role", "grant-permission", "--prefix=true", role, permission, prefix).ConfigureAwait(false);
        foreach (var user in security.Users)
        {
            await EtcdctlAsync(state, security.Root, cancellationToken, DevCertificates.Password(user) + "\n", "user", "add", user.Name, "--interactive=false").ConfigureAwait(false);
            await EtcdctlAsync(state, security.Root, cancellationToken, null, "user", "grant-role", user.Name, user.Role).ConfigureAwait(false);
        }

        await EtcdctlAsync(state, security.Root, cancellationToken, null, "auth", "enable").ConfigureAwait(false);
    }

    /// <summary>etcdctl's connection flags for <paramref name="user"/>'s certificate (no password: etcd takes the certificate's CN as the user).</summary>
    public static IReadOnlyList<string> ConnectionArgs(DevClusterState state, DevEtcdUser user)
    {
        var security = state.Etcd.Security ?? throw new DevException($"dev cluster {state.Name} is not secured");
        return new[] { "--endpoints", string.Join(',', state.Etcd.Endpoints), "--cacert", security.CaFile, "--cert", user.CertFile, "--key", user.KeyFile };
    }

    private static async Task EtcdctlAsync(DevClusterState state, DevEtcdUser user, CancellationToken cancellationToken, string? stdin, params string[] args)
    {
        var all = ConnectionArgs(state, user).Concat(args).ToList();
        var result = await Sys.RunAsync("etcdctl", all, TimeSpan.FromSeconds(30), cancellationToken, stdin).ConfigureAwait(false);
        if (!result.Ok)
            throw new DevException($"etcdctl {string.Join(' ', args)} failed: {(result.StdErr + result.StdOut).Trim()}");
    }
}
