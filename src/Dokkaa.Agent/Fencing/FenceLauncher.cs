using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Dokkaa.Agent.Fencing;

/// <summary>
/// Starts <c>dokkaa-agent fence</c> detached: its own session (setsid), so that it outlives the agent, is not in the
/// agent's process group and gets none of its signals; its output goes to <c>fence/fence.log</c>. The fence's own
/// lock makes a second one exit at once, so starting one when in doubt is harmless.
/// </summary>
public sealed class FenceLauncher
{
    /// <summary>How long a started fence may take to take its lock (a .NET process start on a loaded machine).</summary>
    private static readonly TimeSpan DefaultStartTimeout = TimeSpan.FromSeconds(10);

    private readonly TimeSpan _startTimeout;

    private readonly IReadOnlyList<string> _command;
    private readonly ILogger _log;
    private Process? _started;
    private Stopwatch? _startedAt;

    /// <param name="fenceArguments">The fence's arguments after <c>fence</c> (<c>--data-dir</c>, <c>--docker</c>).</param>
    /// <param name="command">The whole command instead of this agent's <c>fence</c> (tests).</param>
    /// <param name="startTimeout">How long a started fence may take to take its lock (default 10 s).</param>
    public FenceLauncher(IReadOnlyList<string> fenceArguments, ILogger log, IReadOnlyList<string>? command = null, TimeSpan? startTimeout = null)
    {
        _command = command ?? AgentExecutable().Concat(new[] { "fence" }).Concat(fenceArguments).ToList();
        _log = log;
        _startTimeout = startTimeout ?? DefaultStartTimeout;
    }

    /// <summary>Why no fence process runs after the last attempt to start one; null once one took its lock.</summary>
    public string? Problem { get; private set; }

    /// <summary>Raised when <see cref="Problem"/> changes (the host record carries it to the status).</summary>
    public event Action? ProblemChanged;

    /// <summary>Raised when a fence process this launcher started has taken its lock (exclusive instances may start now).</summary>
    public event Action? Running;

    /// <summary>
    /// Starts a fence process unless one holds the lock or one was started less than the start timeout ago. It does
    /// not wait: exclusive instances wait instead (<c>ExclusiveFence.Guarded</c>), everything else goes on.
    /// </summary>
    public void EnsureRunning(FenceFiles files)
    {
        if (files.IsLocked())
        {
            SetProblem(null);
            return;
        }

        if (_startedAt is { } at && at.Elapsed < _startTimeout)
            return;
        Directory.CreateDirectory(files.Directory);
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        foreach (var argument in new[] { "-c", "log=$1; shift; exec setsid \"$@\" >>\"$log\" 2>&1 </dev/null", "sh", files.LogPath }.Concat(_command))
            start.ArgumentList.Add(argument);
        try
        {
            _started?.Dispose();
            _started = Process.Start(start);
            _startedAt = Stopwatch.StartNew();
            _log.LogInformation("Started the fence process {Pid} for exclusive instances (log: {Log})", _started?.Id, files.LogPath);
            _ = WatchStartAsync(files, _startedAt);
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or IOException)
        {
            _log.LogError("Cannot start the fence process ({Command}): {Error}; exclusive instances cannot start on this host", string.Join(' ', _command), e.Message);
            SetProblem($"the fence process cannot be started: {e.Message}");
        }
    }

    private async Task WatchStartAsync(FenceFiles files, Stopwatch since)
    {
        while (since.Elapsed < _startTimeout)
        {
            if (files.IsLocked())
            {
                SetProblem(null);
                Running?.Invoke();
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50)).ConfigureAwait(false);
        }

        _log.LogError("The fence process did not take its lock within {Timeout}s (see {Log}): exclusive instances cannot start on this host", _startTimeout.TotalSeconds, files.LogPath);
        SetProblem($"the fence process did not start within {_startTimeout.TotalSeconds:0.#} s (see {files.LogPath})");
    }

    private void SetProblem(string? problem)
    {
        if (problem == Problem)
            return;
        Problem = problem;
        ProblemChanged?.Invoke();
    }

    /// <summary>This agent's executable: its apphost beside the assembly, else the runtime with the assembly.</summary>
    private static IReadOnlyList<string> AgentExecutable()
    {
        var assembly = typeof(FenceLauncher).Assembly.Location;
        var apphost = Path.Combine(Path.GetDirectoryName(assembly) ?? AppContext.BaseDirectory, Path.GetFileNameWithoutExtension(assembly));
        return File.Exists(apphost) ? new[] { apphost } : new[] { Environment.ProcessPath ?? "dotnet", assembly };
    }
}
