using System.Globalization;

namespace Dokkaa.Dev;

/// <summary>
/// What /proc says about processes: alive (a zombie is not), which program, parent, and the processes that
/// belong to one dev host (everything in its network namespace and all their descendants: dockerd,
/// containerd, the shims, docker-proxy, the agent, and the containers' own processes, which live in their
/// own namespaces under a shim).
/// </summary>
public static class ProcessTable
{
    public static bool IsAlive(int pid)
    {
        if (pid <= 0)
            return false;
        var state = State(pid);
        return state is not null and not 'Z' and not 'X';
    }

    /// <summary>Alive and running the expected program (guards against a recycled pid).</summary>
    public static bool IsAlive(int pid, string comm) => IsAlive(pid) && string.Equals(Comm(pid), comm, StringComparison.Ordinal);

    public static string? Comm(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/comm").TrimEnd('\n');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public static string CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').TrimEnd();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }

    public static IEnumerable<int> All()
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
                yield return pid;
        }
    }

    /// <summary>The programs a dev cluster runs (comm is at most 15 characters: containerd-shim-runc-v2 shows as containerd-shim).</summary>
    public static readonly IReadOnlySet<string> ClusterPrograms = new HashSet<string>(StringComparer.Ordinal)
    {
        "etcd", "dockerd", DockerDaemonLauncher.Comm, "containerd", "containerd-shim", "docker-proxy", "dokkaa-agent", "nsenter", "setsid",
    };

    /// <summary>
    /// Processes of the dev cluster's programs whose command line mentions <paramref name="text"/> (e.g. a data
    /// directory of ours). Only those programs: a shell or a tail that happens to name one of our files is not ours.
    /// </summary>
    public static IReadOnlyList<int> WithCommandLineContaining(string text) =>
        All().Where(p => p != Environment.ProcessId && IsAlive(p) && Comm(p) is { } comm && ClusterPrograms.Contains(comm)
            && CommandLine(p).Contains(text, StringComparison.Ordinal)).ToList();

    /// <summary>The pids in a named network namespace (<c>ip netns pids</c>) and all their descendants.</summary>
    public static async Task<IReadOnlySet<int>> HostTreeAsync(string netns, CancellationToken cancellationToken = default)
    {
        var result = new HashSet<int>();
        if (!File.Exists(NetworkSetup.NetnsPath(netns)))
            return result;
        var output = await Sys.RunAsync("ip", new[] { "netns", "pids", netns }, cancellationToken: cancellationToken).ConfigureAwait(false);
        foreach (var line in output.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (int.TryParse(line, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && IsAlive(pid))
                result.Add(pid);
        }

        return WithDescendants(result);
    }

    public static IReadOnlySet<int> WithDescendants(IEnumerable<int> roots)
    {
        var result = new HashSet<int>(roots);
        var children = new Dictionary<int, List<int>>();
        foreach (var pid in All())
        {
            var parent = Parent(pid);
            if (parent is { } p)
            {
                if (!children.TryGetValue(p, out var list))
                    children[p] = list = new List<int>();
                list.Add(pid);
            }
        }

        var queue = new Queue<int>(result);
        while (queue.Count > 0)
        {
            if (!children.TryGetValue(queue.Dequeue(), out var list))
                continue;
            foreach (var child in list)
            {
                if (result.Add(child))
                    queue.Enqueue(child);
            }
        }

        result.RemoveWhere(p => !IsAlive(p));
        return result;
    }

    /// <summary>Sends a signal (KILL, TERM) and ignores processes that are gone already.</summary>
    public static async Task SignalAsync(IEnumerable<int> pids, string signal, CancellationToken cancellationToken = default)
    {
        var list = pids.Where(p => p > 0).Select(p => p.ToString(CultureInfo.InvariantCulture)).ToList();
        if (list.Count == 0)
            return;
        await Sys.RunAsync("kill", new[] { "-s", signal }.Concat(list), cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Waits until none of the processes is alive; false if some still are at the deadline.</summary>
    public static async Task<bool> WaitGoneAsync(IEnumerable<int> pids, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var list = pids.ToList();
        var deadline = DateTime.UtcNow + timeout;
        while (list.Any(IsAlive))
        {
            if (DateTime.UtcNow > deadline)
                return false;
            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }

        return true;
    }

    /// <summary>kill -9, then wait until they are really gone (reaped or zombies).</summary>
    public static async Task KillAsync(IEnumerable<int> pids, CancellationToken cancellationToken = default)
    {
        var list = pids.ToList();
        await SignalAsync(list, "KILL", cancellationToken).ConfigureAwait(false);
        if (!await WaitGoneAsync(list, TimeSpan.FromSeconds(15), cancellationToken).ConfigureAwait(false))
            throw new DevException($"processes {string.Join(", ", list.Where(IsAlive))} survived kill -9");
    }

    private static char? State(int pid)
    {
        var stat = ReadStat(pid);
        if (stat is null)
            return null;
        var close = stat.LastIndexOf(')');
        return close >= 0 && close + 2 < stat.Length ? stat[close + 2] : null;
    }

    private static int? Parent(int pid)
    {
        var stat = ReadStat(pid);
        if (stat is null)
            return null;
        var close = stat.LastIndexOf(')');
        if (close < 0)
            return null;
        var fields = stat[(close + 2)..].Split(' ');
        return fields.Length > 1 && int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var ppid) ? ppid : null;
    }

    private static string? ReadStat(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
