using Dokkaa.Core.Cluster;
using Dokkaa.Core.Etcd;

namespace Dokkaa.Dev;

/// <summary>
/// One dokkaa-agent per dev host, inside the host's network namespace (so that its ambassador binds to that
/// host's docker0 and it reaches etcd through the bridge), talking to the host's own dockerd.
/// </summary>
public static class AgentLauncher
{
    public const string Comm = "dokkaa-agent";
    public const string ExecutableName = "dokkaa-agent";

    /// <summary>
    /// The agent executable: --agent, $DOKKAA_AGENT, next to this CLI (an install), the agent project's build
    /// output of the same configuration (a source tree: src/Dokkaa.Cli/bin/C/net10.0 -> src/Dokkaa.Agent/bin/C/net10.0),
    /// or PATH.
    /// </summary>
    public static string Locate(string? explicitPath)
    {
        var tried = new List<string>();
        foreach (var candidate in Candidates(explicitPath))
        {
            var full = Path.GetFullPath(candidate);
            if (File.Exists(full))
                return full;
            tried.Add(full);
            if (explicitPath is not null)
                break;
        }

        throw new DevException($"{ExecutableName} not found (looked at {string.Join(", ", tried)}); build it with `dotnet build src/Dokkaa.Agent` or pass --agent PATH");
    }

    private static IEnumerable<string> Candidates(string? explicitPath)
    {
        if (explicitPath is not null)
        {
            yield return explicitPath;
            yield break;
        }

        if (Environment.GetEnvironmentVariable("DOKKAA_AGENT") is { Length: > 0 } fromEnv)
            yield return fromEnv;
        var baseDir = new DirectoryInfo(AppContext.BaseDirectory);
        yield return Path.Combine(baseDir.FullName, ExecutableName);
        // .../src/Dokkaa.Cli/bin/<Configuration>/<tfm>/
        var tfm = baseDir;
        var configuration = tfm.Parent;
        var src = configuration?.Parent?.Parent?.Parent;
        if (configuration is not null && src is not null)
            yield return Path.Combine(src.FullName, "Dokkaa.Agent", "bin", configuration.Name, tfm.Name, ExecutableName);
        if (Sys.Which(ExecutableName) is { } onPath)
            yield return onPath;
    }

    /// <summary>The agent and its arguments; <see cref="NetworkSetup.InNamespaceAsync"/> runs it in the host's namespace.</summary>
    public static IReadOnlyList<string> Command(DevClusterState state, DevHost host) => new[]
    {
        state.Agent,
        "--etcd", string.Join(',', state.Etcd.Endpoints),
        "--docker", host.DockerSocket,
        "--host-id", host.Name,
        "--host-ip", host.Address,
        "--data-dir", host.AgentDataDir,
        "--lease-ttl", state.LeaseTtl,
    }.Concat(state.Etcd.Security is { } security ? security.Flags(security.Agent) : Array.Empty<string>()).ToList();

    public static async Task<int> StartAsync(DevClusterState state, DevHost host, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(host.AgentDataDir);
        var command = await NetworkSetup.InNamespaceAsync(host.Namespace, Command(state, host)).ConfigureAwait(false);
        return await Sys.StartDetachedAsync(command, host.AgentLog, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Waits until each host's agent has written <c>/dokkaa/hosts/&lt;host&gt;</c> after etcd revision
    /// <paramref name="sinceRevision"/> (0: at all); fails with the agent's log if it died.
    /// </summary>
    public static async Task WaitRegisteredAsync(DevClusterState state, IReadOnlyList<DevHost> hosts, long sinceRevision, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var etcd = DevEtcdAccess.Client(state.Etcd);
        var missing = hosts.Select(h => h.Name).ToList();
        await Deadline.UntilAsync(async () =>
        {
            foreach (var host in hosts)
            {
                if (!ProcessTable.IsAlive(host.AgentPid))
                    throw new DevException($"the agent of {host.Name} exited; its log ({host.AgentLog}) ends with:{Environment.NewLine}{Sys.Tail(host.AgentLog)}");
            }

            try
            {
                var range = await etcd.RangeAsync(KeyLayout.HostsPrefix, prefix: true, cancellationToken: cancellationToken).ConfigureAwait(false);
                var registered = range.Kvs.Where(kv => kv.ModRevision > sinceRevision).Select(kv => kv.Key[KeyLayout.HostsPrefix.Length..]).ToHashSet(StringComparer.Ordinal);
                missing = hosts.Select(h => h.Name).Where(h => !registered.Contains(h)).ToList();
                return missing.Count == 0;
            }
            catch (EtcdException)
            {
                return false;
            }
        }, () => $"agents to register in etcd under {KeyLayout.HostsPrefix} (missing: {string.Join(", ", missing)}; logs in {state.LogDir})", timeout, cancellationToken).ConfigureAwait(false);
    }
}
