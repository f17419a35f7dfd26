using System.Globalization;
using System.Text;

namespace Dokkaa.Dev;

/// <summary>
/// Killing a dev host like a power cut, and removing what a killed dockerd leaves behind: its containers'
/// shim sockets in /run/containerd/s (shared with the machine's own containerd), mounts under its data and
/// exec roots (its data root bind-mounted on itself, overlay rootfs, shm, container netns files) and the
/// cgroup directories of its containers.
/// </summary>
public static class HostCleanup
{
    private const string ShimSocketDir = "/run/containerd/s/";
    private const string CgroupRoot = "/sys/fs/cgroup";

    /// <summary>
    /// kill -9 every process of the host: everything in its namespace (agent, dockerd, containerd, shims,
    /// docker-proxy) and all their descendants (the containers). Repeats until nothing is left, then deletes
    /// the shim sockets those shims had bound. Returns how many processes were killed.
    /// </summary>
    public static async Task<int> KillHostAsync(string netns, CancellationToken cancellationToken = default)
    {
        var killed = new HashSet<int>();
        var sockets = new HashSet<string>(StringComparer.Ordinal);
        for (var round = 0; ; round++)
        {
            var tree = await ProcessTable.HostTreeAsync(netns, cancellationToken).ConfigureAwait(false);
            if (tree.Count == 0)
                break;
            if (round >= 5)
                throw new DevException($"processes of {netns} keep coming back: {string.Join(", ", tree)}");
            sockets.UnionWith(ShimSockets(tree));
            await ProcessTable.KillAsync(tree, cancellationToken).ConfigureAwait(false);
            killed.UnionWith(tree);
        }

        foreach (var socket in sockets)
        {
            try
            {
                File.Delete(socket);
            }
            catch (IOException)
            {
            }
        }

        return killed.Count;
    }

    /// <summary>Paths under /run/containerd/s/ that the processes' network namespaces have sockets bound to.</summary>
    public static IReadOnlySet<string> ShimSockets(IEnumerable<int> pids)
    {
        var result = new HashSet<string>(StringComparer.Ordinal);
        foreach (var pid in pids)
        {
            try
            {
                foreach (var line in File.ReadLines($"/proc/{pid}/net/unix"))
                {
                    var path = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).LastOrDefault();
                    if (path is not null && path.StartsWith(ShimSocketDir, StringComparison.Ordinal))
                        result.Add(path);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }

        return result;
    }

    /// <summary>Mount points at or below any of the directories, deepest first.</summary>
    public static IReadOnlyList<string> MountsUnder(IEnumerable<string> directories)
    {
        var roots = directories.Select(d => d.TrimEnd('/')).Where(d => d.Length > 0).ToList();
        return File.ReadLines("/proc/self/mountinfo")
            .Select(line => line.Split(' '))
            .Where(fields => fields.Length > 4)
            .Select(fields => Unescape(fields[4]))
            .Where(point => roots.Any(r => point == r || point.StartsWith(r + "/", StringComparison.Ordinal)))
            .Distinct(StringComparer.Ordinal)
            .OrderByDescending(point => point.Count(c => c == '/'))
            .ThenByDescending(point => point.Length)
            .ToList();
    }

    /// <summary>Unmounts everything at or below the directories (lazily if a plain umount is refused).</summary>
    public static async Task<int> UnmountUnderAsync(IEnumerable<string> directories, CancellationToken cancellationToken = default)
    {
        var list = directories.ToList();
        var count = 0;
        for (var round = 0; round < 10; round++)
        {
            var mounts = MountsUnder(list);
            if (mounts.Count == 0)
                return count;
            foreach (var point in mounts)
            {
                var result = await Sys.RunAsync("umount", new[] { point }, cancellationToken: cancellationToken).ConfigureAwait(false);
                if (!result.Ok)
                    result = await Sys.RunAsync("umount", new[] { "-l", point }, cancellationToken: cancellationToken).ConfigureAwait(false);
                if (result.Ok)
                    count++;
            }
        }

        var left = MountsUnder(list);
        if (left.Count > 0)
            throw new DevException($"could not unmount {string.Join(", ", left)}");
        return count;
    }

    /// <summary>Cgroup directories (in every hierarchy, v1 or v2) whose name starts with the prefix.</summary>
    public static IReadOnlyList<string> CgroupDirs(string prefix)
    {
        if (!Directory.Exists(CgroupRoot))
            return Array.Empty<string>();
        var roots = new[] { CgroupRoot }.Concat(Directory.EnumerateDirectories(CgroupRoot));
        return roots.SelectMany(root => SafeDirectories(root).Where(d => Path.GetFileName(d).StartsWith(prefix, StringComparison.Ordinal)))
            .Distinct(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Removes the cgroup directories bottom-up (rmdir works on an empty cgroup; its files cannot be deleted one by one).</summary>
    public static async Task<int> RemoveCgroupsAsync(string prefix, CancellationToken cancellationToken = default)
    {
        var removed = 0;
        for (var round = 0; ; round++)
        {
            var dirs = CgroupDirs(prefix);
            if (dirs.Count == 0)
                return removed;
            var errors = new List<string>();
            foreach (var dir in dirs.SelectMany(d => Descend(d).Append(d)))
            {
                try
                {
                    Directory.Delete(dir);
                    removed++;
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    errors.Add($"{dir}: {e.Message}");
                }
            }

            if (errors.Count == 0)
                continue;
            if (round >= 20)
                throw new DevException($"could not remove cgroups: {string.Join("; ", errors.Take(3))}");
            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }
    }

    private static IEnumerable<string> Descend(string dir) =>
        SafeDirectories(dir).SelectMany(child => Descend(child).Append(child));

    private static IEnumerable<string> SafeDirectories(string dir)
    {
        try
        {
            return Directory.GetDirectories(dir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Array.Empty<string>();
        }
    }

    /// <summary>mountinfo escapes space, tab, newline and backslash as \ooo.</summary>
    private static string Unescape(string text)
    {
        if (!text.Contains('\\', StringComparison.Ordinal))
            return text;
        var builder = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\' && i + 3 < text.Length
                && int.TryParse(text.AsSpan(i + 1, 3), NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                builder.Append((char)Convert.ToInt32(text.Substring(i + 1, 3), 8));
                i += 3;
            }
            else
            {
                builder.Append(text[i]);
            }
        }

        return builder.ToString();
    }
}
