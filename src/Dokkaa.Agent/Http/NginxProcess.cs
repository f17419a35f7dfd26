using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Dokkaa.Agent.Http;

/// <summary>One running nginx master: its process, the time it started, and its exit.</summary>
internal sealed record NginxRun(Process Process, int Pid, Task Exited, Stopwatch Uptime);

/// <summary>
/// One nginx master (the router or the front) with its own config, pid file and control socket: starting
/// it in the foreground in its own session, asking it which configuration it serves, stopping it, and
/// cleaning up after it. The supervisor decides when; this class knows how.
/// </summary>
internal sealed class NginxProcess
{
    private const int OutputLines = 20;

    private readonly NginxOptions _options;
    private readonly string _setsid;
    private readonly ILogger _log;
    private readonly ConcurrentQueue<string> _output = new();
    private volatile NginxRun? _run;

    public NginxProcess(string name, string configPath, string pidPath, string controlSocketPath, IReadOnlyList<string> otherSockets, NginxOptions options, string setsid, ILogger log)
    {
        Name = name;
        ConfigPath = configPath;
        PidPath = pidPath;
        ControlSocketPath = controlSocketPath;
        Sockets = otherSockets.Prepend(controlSocketPath).ToArray();
        _options = options;
        _setsid = setsid;
        _log = log;
    }

    public string Name { get; }

    public string ConfigPath { get; }

    public string PidPath { get; }

    public string ControlSocketPath { get; }

    /// <summary>The unix sockets this nginx listens on.</summary>
    public IReadOnlyList<string> Sockets { get; }

    /// <summary>The current master, running or just exited (until <see cref="ReapAsync"/>).</summary>
    public NginxRun? Run => _run;

    public int? Pid => _run is { Exited.IsCompleted: false } run ? run.Pid : null;

    /// <summary>
    /// Starts the master with <see cref="ConfigPath"/>. Its exit is observed through the Exited event, not
    /// WaitForExitAsync, which also waits for the end of its output: orphaned workers would hold that open.
    /// </summary>
    public NginxRun Launch()
    {
        // nginx does not remove its unix sockets when it is killed, and bind() fails on a file left behind.
        foreach (var socket in Sockets)
            File.Delete(socket);
        var info = StartInfo(_options, _setsid, _options.NginxPath, "-c", ConfigPath, "-g", "daemon off;");
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var exited = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.Exited += (_, _) => exited.TrySetResult();
        process.OutputDataReceived += (_, e) => OnOutput(e.Data);
        process.ErrorDataReceived += (_, e) => OnOutput(e.Data);
        _output.Clear();
        try
        {
            process.Start();
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            process.Dispose();
            throw new NginxException($"could not start nginx ({Name}) with {_setsid}: {e.Message}");
        }

        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var run = new NginxRun(process, process.Id, exited.Task, Stopwatch.StartNew());
        _run = run;
        return run;
    }

    /// <summary>Polls the control socket until nginx reports <paramref name="hash"/>; false if it exits or the time runs out.</summary>
    public async Task<bool> WaitServingAsync(NginxRun run, string hash, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < _options.ReadyTimeout)
        {
            if (run.Exited.IsCompleted)
                return false;
            if (await GetServedHashAsync(cancellationToken).ConfigureAwait(false) == hash)
                return true;
            await Task.WhenAny(run.Exited, Task.Delay(TimeSpan.FromMilliseconds(10), cancellationToken)).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }

        return false;
    }

    /// <summary>The hash nginx reports on its control socket; null if it does not answer.</summary>
    public async Task<string?> GetServedHashAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(2));
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(ControlSocketPath), timeout.Token).ConfigureAwait(false);
            await socket.SendAsync(Encoding.ASCII.GetBytes($"GET {NginxConfigRenderer.ControlPath} HTTP/1.0\r\nHost: dokkaa\r\n\r\n"), timeout.Token).ConfigureAwait(false);
            var response = new MemoryStream();
            var buffer = new byte[1024];
            int read;
            while (response.Length < 64 * 1024 && (read = await socket.ReceiveAsync(buffer, timeout.Token).ConfigureAwait(false)) > 0)
                response.Write(buffer, 0, read);
            var text = Encoding.ASCII.GetString(response.GetBuffer(), 0, (int)response.Length);
            var body = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            return text.StartsWith("HTTP/1.1 200 ", StringComparison.Ordinal) && body > 0 ? text[(body + 4)..].Trim() : null;
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>After the master exited: kills the workers it left behind and describes what happened.</summary>
    public async Task<string> ReapAsync(NginxRun run)
    {
        var code = run.Process.ExitCode;
        var orphans = await NginxProcesses.KillGroupAsync(run.Pid, TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        if (ReferenceEquals(_run, run))
            _run = null;
        run.Process.Dispose();
        return $"nginx ({Name}, pid {run.Pid}) exited with code {code} after {run.Uptime.Elapsed.TotalSeconds:0.#}s"
            + (orphans > 0 ? $"; killed {orphans} worker(s) it left behind" : "")
            + $"; last output: {RecentOutput()}";
    }

    /// <summary>SIGQUIT (finish what is in flight) and wait up to <paramref name="grace"/>; then SIGKILL the master and anything left in its group.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (_run is not { } run)
            return;
        if (!run.Exited.IsCompleted && grace > TimeSpan.Zero)
        {
            NginxProcesses.Signal(run.Pid, NginxProcesses.SIGQUIT);
            await Task.WhenAny(run.Exited, Task.Delay(grace)).ConfigureAwait(false);
        }

        if (!run.Exited.IsCompleted)
            NginxProcesses.Signal(run.Pid, NginxProcesses.SIGKILL);
        await Task.WhenAny(run.Exited, Task.Delay(TimeSpan.FromSeconds(5))).ConfigureAwait(false);
        await NginxProcesses.KillGroupAsync(run.Pid, TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        _run = null;
        run.Process.Dispose();
    }

    /// <summary>
    /// An agent that was killed leaves its nginx running, holding the ports, so it is stopped. Only a master
    /// whose command line names this <see cref="ConfigPath"/> is touched, or, if that master is gone, the nginx
    /// workers of its process group.
    /// </summary>
    public async Task StopLeftoverAsync()
    {
        if (!File.Exists(PidPath)
            || !int.TryParse(File.ReadAllText(PidPath).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid <= 1)
        {
            return;
        }

        if (NginxProcesses.IsAlive(pid) && NginxProcesses.CommandLine(pid) is var cmdline
            && !(cmdline is not null && cmdline.StartsWith("nginx", StringComparison.Ordinal) && cmdline.Contains(ConfigPath, StringComparison.Ordinal)))
        {
            // The pid was reused by something else: not ours to stop.
            return;
        }

        var killed = await NginxProcesses.KillGroupAsync(pid, TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        if (killed > 0)
            _log.LogWarning("Stopped {Count} nginx process(es) of group {Pid} ({Name}) left by a previous agent", killed, pid, Name);
    }

    public string RecentOutput()
    {
        var lines = _output.ToArray();
        return lines.Length > 0 ? string.Join(" | ", lines.Distinct()) : $"no output; see {_options.ErrorLogPath}";
    }

    /// <summary>An nginx command line: the state directory as prefix and error log, so nothing touches /etc/nginx or /var/log/nginx.</summary>
    public static ProcessStartInfo StartInfo(NginxOptions options, string file, params string[] args)
    {
        var info = new ProcessStartInfo(file)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        foreach (var arg in new[] { "-p", options.StateDir + "/", "-e", options.ErrorLogPath })
            info.ArgumentList.Add(arg);
        return info;
    }

    private void OnOutput(string? line)
    {
        if (string.IsNullOrWhiteSpace(line))
            return;
        _output.Enqueue(line);
        while (_output.Count > OutputLines && _output.TryDequeue(out _))
        {
        }

        _log.LogWarning("nginx ({Name}): {Line}", Name, line);
    }
}
