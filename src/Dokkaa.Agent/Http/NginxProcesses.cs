using System.Globalization;
using System.Runtime.InteropServices;

namespace Dokkaa.Agent.Http;

/// <summary>
/// Signals and /proc look-ups for the nginx process tree (Linux). nginx is started in its own session
/// (<c>setsid</c>), so its master's pid is also the process group of its workers. When the master dies
/// without stopping them (SIGKILL, OOM killer), the orphaned workers keep the listen sockets open and a
/// new master could never bind; they are found by that process group and killed.
/// </summary>
internal static class NginxProcesses
{
    public const int SIGHUP = 1;
    public const int SIGINT = 2;
    public const int SIGQUIT = 3;
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int NativeKill(int pid, int signal);

    /// <summary>Sends <paramref name="signal"/> to one process; false if it does not exist (any more).</summary>
    public static bool Signal(int pid, int signal) => pid > 0 && NativeKill(pid, signal) == 0;

    /// <summary>Live (not zombie) processes named nginx in process group <paramref name="pgid"/>.</summary>
    public static IReadOnlyList<int> GroupMembers(int pgid)
    {
        var members = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
                continue;
            if (ReadStat(pid) is { } stat && stat.Comm == "nginx" && stat.State != 'Z' && stat.Pgrp == pgid)
                members.Add(pid);
        }

        return members;
    }

    /// <summary>True while <paramref name="pid"/> exists and is not a zombie.</summary>
    public static bool IsAlive(int pid) => ReadStat(pid) is { State: not 'Z' and not 'X' };

    public static string? CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/cmdline").Replace('\0', ' ');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Kills every nginx process of group <paramref name="pgid"/> and waits until they are gone; returns how many there were.</summary>
    public static async Task<int> KillGroupAsync(int pgid, TimeSpan timeout)
    {
        var members = GroupMembers(pgid);
        foreach (var pid in members)
            Signal(pid, SIGKILL);
        var deadline = DateTime.UtcNow + timeout;
        while (GroupMembers(pgid).Count > 0 && DateTime.UtcNow < deadline)
            await Task.Delay(10).ConfigureAwait(false);
        return members.Count;
    }

    private readonly record struct Stat(string Comm, char State, int Pgrp);

    private static Stat? ReadStat(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        // "pid (comm) state ppid pgrp ..."; comm may contain spaces and parentheses, so split at the last ')'.
        var open = text.IndexOf('(');
        var close = text.LastIndexOf(')');
        if (open < 0 || close < open)
            return null;
        var fields = text[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 3 || !int.TryParse(fields[2], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var pgrp))
            return null;
        return new Stat(text[(open + 1)..close], fields[0][0], pgrp);
    }
}
