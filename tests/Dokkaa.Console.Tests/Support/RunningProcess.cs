using System.Diagnostics;
using System.Threading.Channels;

namespace Dokkaa.WebConsole.Tests.Support;

/// <summary>A long-running process (dokkaa console) whose output lines a test waits for; killed (this process only) on dispose.</summary>
public sealed class RunningProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly List<string> _all = new();

    private RunningProcess(Process process) => _process = process;

    public Process Process => _process;

    public string Output
    {
        get
        {
            lock (_all)
                return string.Join('\n', _all);
        }
    }

    public static RunningProcess Start(string file, IEnumerable<string> args, IDictionary<string, string>? env = null)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        foreach (var (key, value) in env ?? new Dictionary<string, string>())
            info.Environment[key] = value;
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var running = new RunningProcess(process);
        process.OutputDataReceived += (_, e) => running.Add(e.Data);
        process.ErrorDataReceived += (_, e) => running.Add(e.Data);
        process.Exited += (_, _) => running._lines.Writer.TryComplete();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return running;
    }

    /// <summary>The first output line matching <paramref name="match"/>; fails at the deadline or when the process exits first.</summary>
    public async Task<string> LineAsync(Func<string, bool> match, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await foreach (var line in _lines.Reader.ReadAllAsync(cts.Token))
            {
                if (match(line))
                    return line;
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no matching line within {timeout}; output so far:\n{Output}");
        }

        throw new InvalidOperationException($"the process exited (code {(_process.HasExited ? _process.ExitCode : -1)}) without printing the line; output:\n{Output}");
    }

    private void Add(string? line)
    {
        if (line is null)
            return;
        lock (_all)
            _all.Add(line);
        _lines.Writer.TryWrite(line);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
