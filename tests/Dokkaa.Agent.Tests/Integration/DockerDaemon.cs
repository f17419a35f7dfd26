using Dokkaa.Testing;

namespace Dokkaa.Agent.Tests.Integration;

/// <summary>Restarts the machine's dockerd with the command line it was started with (its containers stop, as in a real daemon restart).</summary>
public static class DockerDaemon
{
    public static async Task RestartAsync()
    {
        // The daemon behind /var/run/docker.sock, by its pid file: never "any dockerd" (a dev cluster runs others).
        var pid = int.Parse((await File.ReadAllTextAsync("/var/run/docker.pid")).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        var args = (await File.ReadAllTextAsync($"/proc/{pid}/cmdline")).Split('\0', StringSplitOptions.RemoveEmptyEntries);
        await ProcessRunner.RunAsync("kill", "-TERM", pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Poll.UntilAsync(() => !Directory.Exists($"/proc/{pid}"), "dockerd to exit", TimeSpan.FromSeconds(60));

        var command = string.Join(' ', args.Select(a => "'" + a.Replace("'", "'\\''", StringComparison.Ordinal) + "'"));
        // Every descriptor above 2 is closed first: the suite runs under `flock /tmp/dokkaa-docker.lock`, whose
        // descriptor every child inherits, and a dockerd that kept it would hold the shared lock for its whole life
        // (it did: every other locked run on the machine waited until dockerd was restarted by hand).
        const string closeInherited = "for fd in /proc/$$/fd/*; do n=${fd##*/}; [ \"$n\" -gt 2 ] && { eval \"exec $n>&-\"; } 2>/dev/null; done; ";
        await ProcessRunner.RunAsync("bash", "-c", closeInherited + $"setsid nohup {command} >>/tmp/dokkaa-dockerd.log 2>&1 < /dev/null &");
        await Poll.UntilAsync(async () => (await ProcessRunner.RunAsync("docker", "version")).ExitCode == 0, "dockerd to answer again", TimeSpan.FromSeconds(60));
    }
}
