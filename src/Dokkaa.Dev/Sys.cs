using System.Diagnostics;
using System.Globalization;

namespace Dokkaa.Dev;

/// <summary>
/// Runs the system tools the dev cluster is made of (ip, nsenter, dockerd, etcd, docker, iptables, umount)
/// as child processes, and starts the long-lived ones detached so that they outlive the dokkaa command.
/// </summary>
public static class Sys
{
    public sealed record Result(int ExitCode, string StdOut, string StdErr)
    {
        public bool Ok => ExitCode == 0;
    }

    /// <summary>The tools the dev cluster needs, and the Debian package each comes from.</summary>
    public static readonly IReadOnlyList<(string Tool, string Package)> RequiredTools = new[]
    {
        ("ip", "iproute2"), ("nsenter", "util-linux"), ("setsid", "util-linux"), ("umount", "mount"),
        ("iptables", "iptables"), ("dockerd", "docker.io"), ("docker", "docker.io"), ("etcd", "etcd-server"),
    };

    public static async Task<Result> RunAsync(string file, IEnumerable<string> args, TimeSpan? timeout = null, CancellationToken cancellationToken = default, string? stdin = null)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new DevException($"could not start {file}");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new DevException($"could not start {file}: {e.Message}", e);
        }

        using (process)
        {
            // Secrets (passwords for etcdctl) go through standard input, never the command line, which every user can read.
            if (stdin is not null)
                await process.StandardInput.WriteAsync(stdin).ConfigureAwait(false);
            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            cts.CancelAfter(timeout ?? TimeSpan.FromMinutes(2));
            try
            {
                await process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                if (cancellationToken.IsCancellationRequested)
                    throw;
                throw new DevException($"`{Describe(file, args)}` did not finish within {(timeout ?? TimeSpan.FromMinutes(2)).TotalSeconds:0}s");
            }

            return new Result(process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
        }
    }

    public static Task<Result> RunAsync(string file, params string[] args) => RunAsync(file, (IEnumerable<string>)args);

    /// <summary>Runs a tool and fails with its own error message when it exits non-zero.</summary>
    public static async Task<string> CheckAsync(string file, IEnumerable<string> args, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var list = args.ToList();
        var result = await RunAsync(file, list, timeout, cancellationToken).ConfigureAwait(false);
        if (!result.Ok)
            throw new DevException($"`{Describe(file, list)}` failed (exit {result.ExitCode}): {FirstLines(result.StdErr + result.StdOut)}");
        return result.StdOut;
    }

    public static Task<string> CheckAsync(string file, params string[] args) => CheckAsync(file, (IEnumerable<string>)args);

    /// <summary>
    /// Starts <paramref name="command"/> in a new session with standard input from /dev/null and its output
    /// appended to <paramref name="logPath"/>, so it keeps running after this process exits, and returns its pid.
    /// The shell backgrounds setsid; setsid (not a group leader there) does not fork and execs the command, and
    /// nsenter without --pid does not fork either, so <c>$!</c> is the pid of the final program.
    /// </summary>
    public static async Task<int> StartDetachedAsync(IReadOnlyList<string> command, string logPath, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(logPath)!);
        var args = new List<string> { "-c", "log=$1; shift; setsid \"$@\" >>\"$log\" 2>&1 </dev/null & echo $!", "sh", logPath };
        args.AddRange(command);
        var output = await CheckAsync("sh", args, TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
        return int.TryParse(output.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            ? pid
            : throw new DevException($"could not start {command[0]}: no pid in \"{output.Trim()}\"");
    }

    /// <summary>The effective user id, from /proc (no native call needed).</summary>
    public static int EffectiveUid()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("Uid:", StringComparison.Ordinal))
                return int.Parse(line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[2], CultureInfo.InvariantCulture);
        }

        return -1;
    }

    public static void RequireRoot()
    {
        if (EffectiveUid() != 0)
            throw new DevException("dokkaa dev must run as root: it creates network namespaces, a bridge, iptables rules and Docker daemons (try sudo)");
    }

    /// <summary>What a secured cluster needs in addition: certificates are made with openssl, auth is turned on with etcdctl.</summary>
    public static readonly IReadOnlyList<(string Tool, string Package)> SecureTools = new[] { ("openssl", "openssl"), ("etcdctl", "etcd-client") };

    /// <summary>Fails naming every missing tool and the package to install.</summary>
    public static void RequireTools(bool secure = false)
    {
        var missing = RequiredTools.Concat(secure ? SecureTools : Array.Empty<(string, string)>()).Where(t => Which(t.Tool) is null).ToList();
        if (missing.Count > 0)
        {
            throw new DevException($"missing tools: {string.Join(", ", missing.Select(t => t.Tool))}; install them with " +
                $"`apt-get install {string.Join(' ', missing.Select(t => t.Package).Distinct())}`");
        }
    }

    /// <summary>Looks a program up on PATH and in the sbin directories (root's tools are there).</summary>
    public static string? Which(string name)
    {
        var dirs = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(new[] { "/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin" });
        foreach (var dir in dirs)
        {
            var path = Path.Combine(dir, name);
            if (File.Exists(path))
                return path;
        }

        return null;
    }

    /// <summary>The last lines of a log file, for error messages about a process that would not start.</summary>
    public static string Tail(string path, int lines = 8)
    {
        try
        {
            var all = File.ReadAllLines(path);
            return string.Join(Environment.NewLine, all.Skip(Math.Max(0, all.Length - lines)).Select(l => "    " + (l.Length > 300 ? l[..300] + "..." : l)));
        }
        catch (IOException)
        {
            return "    (no log)";
        }
        catch (UnauthorizedAccessException)
        {
            return "    (log not readable)";
        }
    }

    public static string Describe(string file, IEnumerable<string> args) =>
        string.Join(' ', new[] { file }.Concat(args.Select(a => a.Contains(' ', StringComparison.Ordinal) || a.Length == 0 ? $"'{a}'" : a)));

    private static string FirstLines(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length == 0 ? "(no output)" : string.Join(" / ", lines.Take(3));
    }
}
