using System.Collections.Immutable;
using System.Diagnostics;
using Dokkaa.Core.Cluster;
using Dokkaa.Core.Threading;
using Microsoft.Extensions.Logging;

namespace Dokkaa.Agent.Http;

/// <summary>What became of one configuration given to <see cref="NginxSupervisor.ApplyAsync"/>.</summary>
public enum NginxApplyOutcome
{
    /// <summary>The rendered text equals the one in use: nothing was done (no reload).</summary>
    Unchanged,
    /// <summary>Checked with <c>nginx -t</c>, swapped in, reloaded, and nginx now serves it.</summary>
    Reloaded,
    /// <summary>Checked and swapped in while nginx is not running (it is being restarted); it will start with it.</summary>
    Written,
    /// <summary><c>nginx -t</c> refused it: it never reached the running nginx, the previous configuration stays.</summary>
    Rejected,
    /// <summary>Swapped in and nginx was told to reload, but did not serve it within <see cref="NginxOptions.ReadyTimeout"/>.</summary>
    ReloadFailed,
}

public sealed record NginxApplyResult(NginxApplyOutcome Outcome, NginxConfig Config, string? Error);

/// <summary>nginx cannot be run at all (missing executable, a port it cannot bind, a state directory in use).</summary>
public sealed class NginxException : Exception
{
    public NginxException(string message)
        : base(message)
    {
    }
}

/// <summary>
/// Runs nginx as supervised child processes and keeps the routing configuration equal to the rendering of
/// the latest cluster state.
/// <list type="bullet">
/// <item>The router (nginx.conf, rendered by <see cref="NginxConfigRenderer.Render"/>) routes by Host header and
/// is reloaded on changes. With <see cref="NginxOptions.Front"/> (the default) a second nginx (front.conf)
/// listens on the HTTP addresses and hands every request to the router over a unix socket; it is never
/// reloaded, so reloads never cut a client's connection.</item>
/// <item>Both run in the foreground (<c>-g "daemon off;"</c>), each in its own session, with config, pid
/// file, error log, temp files and control socket under <see cref="NginxOptions.StateDir"/>.</item>
/// <item>Every new router text is written to <c>nginx.conf.new</c> and checked with <c>nginx -t</c>; only a
/// text that passes replaces <c>nginx.conf</c> (an atomic rename) and is loaded with SIGHUP, a graceful
/// reload. A refused text never reaches the running nginx: the last good one stays, the error is in
/// <see cref="LastError"/>, the log and <see cref="RouteErrors"/> (for the routes it would have changed), and it
/// is tried again with backoff (<see cref="NginxOptions.RetryDelayFirst"/>), so a cause that goes away (a full
/// disk, a directory nginx could not create) does not leave the routes stale until the next cluster change.</item>
/// <item>The router is reloaded only when the rendered text changed, and <see cref="Update"/> debounces bursts.
/// After a reload the supervisor asks nginx on its control socket which configuration hash it serves, so
/// "reloaded" means the new workers answer. Then the routes are checked end to end (<see cref="NginxRouteCheck"/>):
/// a request through the listen address for an unrouted name (the front and the router answer) and one per route
/// whose upstreams changed. What fails is in <see cref="RouteErrors"/> and is checked again with backoff.</item>
/// <item>If an nginx dies it is started again with the last good configuration, after 200 ms doubling to 30 s
/// (forgiven after 10 s up). Workers left behind by a killed master are killed first, as is an nginx left
/// in the state directory by a previous agent process.</item>
/// </list>
/// </summary>
public sealed class NginxSupervisor : IAsyncDisposable
{
    private readonly NginxOptions _options;
    private readonly ILogger _log;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly AsyncSignal _changed = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _loops = new();
    private ClusterState? _latest;
    private volatile NginxConfig? _applied;
    private NginxConfig? _frontConfig;
    private (string Text, string Error)? _rejected;
    private volatile string? _lastError;
    private string? _problems;
    private NginxProcess? _router;
    private NginxProcess? _front;
    private FileStream? _lock;
    private readonly NginxRouteCheck _check;
    private readonly AsyncSignal _checkWanted = new();
    private readonly object _errorsLock = new();
    private NginxConfig? _desired;
    private bool _reloadPending;
    private ImmutableDictionary<ManifestId, string> _applyErrors = ImmutableDictionary<ManifestId, string>.Empty;
    private ImmutableDictionary<ManifestId, string> _checkErrors = ImmutableDictionary<ManifestId, string>.Empty;
    private IReadOnlyDictionary<ManifestId, string> _routeErrors = ImmutableDictionary<ManifestId, string>.Empty;
    private long _reloads;
    private long _restarts;
    private int _started;
    private int _disposed;

    public NginxSupervisor(NginxOptions options, ILogger log)
    {
        options.Validate();
        _options = options;
        _log = log;
        _check = new NginxRouteCheck(options);
    }

    public NginxOptions Options => _options;

    /// <summary>The router configuration in nginx.conf: the last one that passed <c>nginx -t</c>.</summary>
    public NginxConfig? Current => _applied;

    /// <summary>The latest problem (refused configuration, nginx died, reload not taken), or null once things are well again.</summary>
    public string? LastError => _lastError;

    /// <summary>The routing nginx master's pid while it runs.</summary>
    public int? ProcessId => _router?.Pid;

    /// <summary>The front nginx master's pid while it runs (null without <see cref="NginxOptions.Front"/>).</summary>
    public int? FrontProcessId => _front?.Pid;

    /// <summary>Router reloads signalled since start.</summary>
    public long Reloads => Interlocked.Read(ref _reloads);

    /// <summary>Times an nginx was started again after it died.</summary>
    public long Restarts => Interlocked.Read(ref _restarts);

    /// <summary>
    /// What does not work through this host's nginx, by routed manifest: a route the renderer left out (or an
    /// instance it had to skip), a configuration <c>nginx -t</c> refused or nginx did not take, a route check that
    /// failed. Empty when every route works. The agent publishes it in its host record, so the status shows it.
    /// </summary>
    public IReadOnlyDictionary<ManifestId, string> RouteErrors => Volatile.Read(ref _routeErrors);

    /// <summary>Raised (on a supervisor thread) whenever <see cref="RouteErrors"/> changes.</summary>
    public event Action? RouteErrorsChanged;

    /// <summary>Raised after every route check, with the errors it found (tests wait for it).</summary>
    internal event Action<IReadOnlyDictionary<ManifestId, string>>? Checked;

    /// <summary>Raised after every apply, debounced or direct (on the applying thread).</summary>
    public event Action<NginxApplyResult>? Applied;

    /// <summary>
    /// Prepares the state directory, stops any nginx left there by a previous agent process, checks the
    /// configuration for <paramref name="initial"/> and starts nginx with it. Returns once nginx serves on
    /// the listen addresses; throws <see cref="NginxException"/> when it cannot (with nginx's own words).
    /// </summary>
    public async Task StartAsync(ClusterState initial, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (Interlocked.Exchange(ref _started, 1) != 0)
            throw new InvalidOperationException("the nginx supervisor is already started");

        var setsid = PrepareStateDir();
        var router = new NginxProcess("router", _options.ConfigPath, _options.PidPath, _options.ControlSocketPath, new[] { _options.RouterSocketPath }, _options, setsid, _log);
        var front = new NginxProcess("front", _options.FrontConfigPath, _options.FrontPidPath, _options.FrontControlSocketPath, Array.Empty<string>(), _options, setsid, _log);
        // Whatever a previous agent left, with or without a front.
        await front.StopLeftoverAsync().ConfigureAwait(false);
        await router.StopLeftoverAsync().ConfigureAwait(false);

        var config = NginxConfigRenderer.Render(initial, _options);
        LogProblems(config);
        await InstallAsync(config, _options.ConfigPath, "initial configuration", cancellationToken).ConfigureAwait(false);
        _applied = config;
        _desired = config;
        Interlocked.CompareExchange(ref _latest, initial, null);
        if (_options.Front)
        {
            _frontConfig = NginxConfigRenderer.RenderFront(_options);
            await InstallAsync(_frontConfig, _options.FrontConfigPath, "front configuration", cancellationToken).ConfigureAwait(false);
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _router = router;
            await LaunchOrThrowAsync(router, config.Hash, cancellationToken).ConfigureAwait(false);
            if (_frontConfig is not null)
            {
                _front = front;
                await LaunchOrThrowAsync(front, _frontConfig.Hash, cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            await front.StopAsync(TimeSpan.Zero).ConfigureAwait(false);
            await router.StopAsync(TimeSpan.Zero).ConfigureAwait(false);
            throw;
        }
        finally
        {
            _gate.Release();
        }

        _log.LogInformation("nginx serves {Count} host name(s) on {Listen} (router pid {Router}{Front})",
            config.Routes.Count, string.Join(", ", _options.Listen), router.Pid, _front is null ? "" : $", front pid {front.Pid}");
        _loops.Add(Task.Run(() => SuperviseAsync(router, () => _applied!.Hash, _stopping.Token), CancellationToken.None));
        if (_front is not null)
            _loops.Add(Task.Run(() => SuperviseAsync(front, () => _frontConfig!.Hash, _stopping.Token), CancellationToken.None));
        _loops.Add(Task.Run(() => DebounceAsync(_stopping.Token), CancellationToken.None));
        _loops.Add(Task.Run(() => CheckRoutesAsync(_stopping.Token), CancellationToken.None));
        UpdateRouteErrors();
        _checkWanted.Set();
    }

    /// <summary>
    /// Takes a new cluster snapshot; cheap, never blocks, never throws. The configuration is rendered and
    /// applied <see cref="NginxOptions.Debounce"/> after the first change of a burst, from the latest snapshot
    /// by then (so a steady stream of changes still reaches nginx at most a debounce later).
    /// Call it on every cluster change (e.g. <c>view.Changed += supervisor.Update</c>).
    /// </summary>
    public void Update(ClusterState state)
    {
        Volatile.Write(ref _latest, state);
        _changed.Set();
    }

    /// <summary>Renders <paramref name="state"/> and applies it now (no debounce); returns what happened. It is also the latest snapshot, which a retry after a failure renders again.</summary>
    public Task<NginxApplyResult> ApplyAsync(ClusterState state, CancellationToken cancellationToken)
    {
        Volatile.Write(ref _latest, state);
        return ApplyConfigAsync(NginxConfigRenderer.Render(state, _options), cancellationToken);
    }

    /// <summary>
    /// Applies an already rendered router configuration. Internal so that tests can hand in a broken one.
    /// <paramref name="retry"/>: a text <c>nginx -t</c> refused before is tested again, and a reload nginx did not
    /// take is signalled again (the backoff retries do this; an ordinary update does not repeat a known failure).
    /// </summary>
    internal async Task<NginxApplyResult> ApplyConfigAsync(NginxConfig config, CancellationToken cancellationToken, bool retry = false)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (Volatile.Read(ref _started) == 0 || _router is null)
            throw new InvalidOperationException("start the nginx supervisor first");

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        NginxApplyResult result;
        await _gate.WaitAsync(linked.Token).ConfigureAwait(false);
        try
        {
            result = await ApplyLockedAsync(_router, config, retry, linked.Token).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }

        Applied?.Invoke(result);
        return result;
    }

    /// <summary>Asks the routing nginx which configuration it serves (<see cref="NginxConfig.Hash"/>); null if it does not answer.</summary>
    public Task<string?> GetServedHashAsync(CancellationToken cancellationToken) =>
        _router?.GetServedHashAsync(cancellationToken) ?? Task.FromResult<string?>(null);

    /// <summary>Stops the front (finishing what is in flight), then the router; waits up to <see cref="NginxOptions.StopTimeout"/> for each.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_loops).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _check.Dispose();

        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            foreach (var process in new[] { _front, _router })
            {
                if (process?.Pid is { } pid)
                {
                    await process.StopAsync(_options.StopTimeout).ConfigureAwait(false);
                    _log.LogInformation("nginx ({Name}, pid {Pid}) stopped", process.Name, pid);
                }
            }
        }
        finally
        {
            _gate.Release();
            RemoveRuntimeDir();
            _lock?.Dispose();
            _stopping.Dispose();
        }
    }

    private async Task InstallAsync(NginxConfig config, string path, string what, CancellationToken cancellationToken)
    {
        var (ok, output) = await TestAsync(config.Text, path, cancellationToken).ConfigureAwait(false);
        if (!ok)
            throw new NginxException($"nginx -t refused the {what}: {output}");
        File.Move(path + ".new", path, overwrite: true);
    }

    private async Task LaunchOrThrowAsync(NginxProcess process, string hash, CancellationToken cancellationToken)
    {
        var run = process.Launch();
        if (await process.WaitServingAsync(run, hash, cancellationToken).ConfigureAwait(false))
            return;
        var why = run.Exited.IsCompleted
            ? $"nginx ({process.Name}) exited at once (code {run.Process.ExitCode})"
            : $"nginx ({process.Name}) did not answer within {_options.ReadyTimeout.TotalSeconds:0.#}s";
        throw new NginxException($"{why}: {process.RecentOutput()}");
    }

    private async Task<NginxApplyResult> ApplyLockedAsync(NginxProcess router, NginxConfig config, bool retry, CancellationToken cancellationToken)
    {
        LogProblems(config);
        var previous = _applied;
        _desired = config;
        if (previous is not null && previous.Text == config.Text && !(retry && _reloadPending))
        {
            SetApplyErrors(ImmutableDictionary<ManifestId, string>.Empty);
            return new NginxApplyResult(NginxApplyOutcome.Unchanged, config, null);
        }

        if (!retry && _rejected is { } rejected && rejected.Text == config.Text)
        {
            UpdateRouteErrors();
            return new NginxApplyResult(NginxApplyOutcome.Rejected, config, rejected.Error);
        }

        if (previous is null || previous.Text != config.Text)
        {
            var (ok, output) = await TestAsync(config.Text, _options.ConfigPath, cancellationToken).ConfigureAwait(false);
            if (!ok)
            {
                var error = $"nginx -t refused the new configuration (hash {config.Hash}); nginx keeps serving the previous one: {output}";
                _rejected = (config.Text, error);
                _lastError = error;
                _log.LogError("{Error}", error);
                SetApplyErrors(Affected(config, previous, $"nginx -t refused the configuration with this route, the previous one stays in effect: {Shorten(output)}"));
                return new NginxApplyResult(NginxApplyOutcome.Rejected, config, error);
            }

            File.Move(_options.ConfigPath + ".new", _options.ConfigPath, overwrite: true);
            _applied = config;
            _rejected = null;
        }

        _reloadPending = true;
        if (router.Run is not { Exited.IsCompleted: false } run)
        {
            // The supervision loop starts nginx with this configuration and checks the routes then.
            _reloadPending = false;
            SetApplyErrors(ImmutableDictionary<ManifestId, string>.Empty);
            _log.LogInformation("nginx is not running; it will start with the new configuration (hash {Hash})", config.Hash);
            return new NginxApplyResult(NginxApplyOutcome.Written, config, null);
        }

        NginxProcesses.Signal(run.Pid, NginxProcesses.SIGHUP);
        Interlocked.Increment(ref _reloads);
        if (await router.WaitServingAsync(run, config.Hash, cancellationToken).ConfigureAwait(false))
        {
            _reloadPending = false;
            _lastError = null;
            SetApplyErrors(ImmutableDictionary<ManifestId, string>.Empty);
            _checkWanted.Set();
            _log.LogInformation("nginx reloaded: {Count} host name(s), hash {Hash}", config.Routes.Count, config.Hash);
            return new NginxApplyResult(NginxApplyOutcome.Reloaded, config, null);
        }

        var failure = run.Exited.IsCompleted
            ? "nginx exited during the reload; it will be restarted with the new configuration"
            : $"nginx did not serve the new configuration (hash {config.Hash}) within {_options.ReadyTimeout.TotalSeconds:0.#}s; see {_options.ErrorLogPath}";
        _lastError = failure;
        _log.LogError("{Error}", failure);
        if (!run.Exited.IsCompleted)
            SetApplyErrors(Affected(config, previous, $"nginx did not take the configuration with this route within {_options.ReadyTimeout.TotalSeconds:0.#}s"));
        return new NginxApplyResult(NginxApplyOutcome.ReloadFailed, config, failure);
    }

    /// <summary>
    /// The manifests whose route in <paramref name="config"/> is not in effect because it was not applied: those whose
    /// route differs from the one in <paramref name="applied"/> (new, other upstreams); every route when none does (the
    /// refused part is common to all).
    /// </summary>
    private static ImmutableDictionary<ManifestId, string> Affected(NginxConfig config, NginxConfig? applied, string error)
    {
        var before = (applied?.Routes ?? Array.Empty<HttpRouteSummary>()).ToDictionary(r => r.Host, StringComparer.Ordinal);
        var changed = config.Routes.Where(r => !before.TryGetValue(r.Host, out var old) || !SameRoute(old, r)).ToList();
        return (changed.Count > 0 ? changed : config.Routes).ToImmutableDictionary(r => r.Manifest, _ => error);
    }

    private static bool SameRoute(HttpRouteSummary a, HttpRouteSummary b) =>
        a.Host == b.Host && a.Manifest == b.Manifest && a.Upstreams.SequenceEqual(b.Upstreams, StringComparer.Ordinal);

    private static string Shorten(string text) => text.Length > 300 ? text[..300] + "..." : text;

    private void SetApplyErrors(ImmutableDictionary<ManifestId, string> errors)
    {
        bool started;
        lock (_errorsLock)
        {
            started = _applyErrors.IsEmpty && !errors.IsEmpty;
            _applyErrors = errors;
        }

        // A failure of a direct ApplyAsync: wake the debounce loop, which then retries it with backoff.
        if (started)
            _changed.Set();
        UpdateRouteErrors();
    }

    /// <summary>Composes <see cref="RouteErrors"/> from the desired configuration's problems, the apply errors and the check errors; raises the event on a change.</summary>
    private void UpdateRouteErrors()
    {
        bool changed;
        lock (_errorsLock)
        {
            var messages = new Dictionary<ManifestId, List<string>>();
            void Add(ManifestId id, string message)
            {
                if (!messages.TryGetValue(id, out var list))
                    messages[id] = list = new List<string>();
                if (!list.Contains(message))
                    list.Add(message);
            }

            foreach (var problem in _desired?.Problems ?? Array.Empty<HttpRouteProblem>())
                Add(problem.Manifest, problem.Message);
            foreach (var (id, message) in _applyErrors)
                Add(id, message);
            foreach (var (id, message) in _checkErrors)
                Add(id, message);
            var next = messages.ToImmutableDictionary(m => m.Key, m => string.Join("; ", m.Value));
            changed = next.Count != _routeErrors.Count || next.Any(e => _routeErrors.GetValueOrDefault(e.Key) != e.Value);
            if (changed)
                Volatile.Write(ref _routeErrors, next);
        }

        if (changed)
            RouteErrorsChanged?.Invoke();
    }

    /// <summary>Writes <paramref name="text"/> to <paramref name="path"/>.new and runs <c>nginx -t</c> on it; the file is removed when refused.</summary>
    private async Task<(bool Ok, string Output)> TestAsync(string text, string path, CancellationToken cancellationToken)
    {
        var temp = path + ".new";
        await File.WriteAllTextAsync(temp, text, cancellationToken).ConfigureAwait(false);
        using var process = Process.Start(NginxProcess.StartInfo(_options, _options.NginxPath, "-t", "-q", "-c", temp))
            ?? throw new NginxException($"could not run {_options.NginxPath}");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            throw;
        }

        var output = ((await stdout.ConfigureAwait(false)) + (await stderr.ConfigureAwait(false))).Trim();
        if (process.ExitCode == 0)
            return (true, output);
        File.Delete(temp);
        return (false, output.Length > 0 ? output : $"nginx -t exited with code {process.ExitCode}");
    }

    /// <summary>Waits for <paramref name="process"/> to die, cleans up after it and starts it again, with backoff.</summary>
    private async Task SuperviseAsync(NginxProcess process, Func<string> hash, CancellationToken stop)
    {
        var failures = 0;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                if (process.Run is { } run)
                {
                    await run.Exited.WaitAsync(stop).ConfigureAwait(false);
                    await _gate.WaitAsync(stop).ConfigureAwait(false);
                    try
                    {
                        var error = await process.ReapAsync(run).ConfigureAwait(false);
                        _lastError = error;
                        _log.LogError("{Error}", error);
                    }
                    finally
                    {
                        _gate.Release();
                    }

                    if (run.Uptime.Elapsed >= _options.StableAfter)
                        failures = 0;
                }

                var delay = RetryDelay.After(_options.RestartDelayFirst, _options.RestartDelayMax, failures);
                failures++;
                _log.LogWarning("Starting nginx ({Name}) again in {Delay}", process.Name, delay);
                await Task.Delay(delay, stop).ConfigureAwait(false);

                await _gate.WaitAsync(stop).ConfigureAwait(false);
                try
                {
                    var next = process.Launch();
                    Interlocked.Increment(ref _restarts);
                    var expected = hash();
                    if (await process.WaitServingAsync(next, expected, stop).ConfigureAwait(false))
                    {
                        _lastError = null;
                        _checkWanted.Set();
                        _log.LogInformation("nginx ({Name}) restarted (pid {Pid}), serving hash {Hash}", process.Name, next.Pid, expected);
                    }
                }
                catch (NginxException e)
                {
                    _lastError = e.Message;
                    _log.LogError("{Error}", e.Message);
                }
                finally
                {
                    _gate.Release();
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                _lastError = $"nginx ({process.Name}) supervision failed: {e.Message}";
                _log.LogError(e, "nginx ({Name}) supervision failed; trying again", process.Name);
            }
        }
    }

    /// <summary>Applies the latest snapshot a debounce after a change; while the last apply failed, again with backoff even without one.</summary>
    private async Task DebounceAsync(CancellationToken stop)
    {
        var failures = 0;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                bool failing;
                lock (_errorsLock)
                    failing = !_applyErrors.IsEmpty || _reloadPending;
                var wait = failing ? RetryDelay.After(_options.RetryDelayFirst, _options.RetryDelayMax, Math.Max(0, failures - 1)) : Timeout.InfiniteTimeSpan;
                var changed = await _changed.WaitAsync(wait, stop).ConfigureAwait(false);
                if (changed)
                    await Task.Delay(_options.Debounce, stop).ConfigureAwait(false);
                if (Volatile.Read(ref _latest) is not { } state)
                    continue;
                var result = await ApplyConfigAsync(NginxConfigRenderer.Render(state, _options), stop, retry: !changed).ConfigureAwait(false);
                failures = result.Outcome is NginxApplyOutcome.Rejected or NginxApplyOutcome.ReloadFailed ? failures + 1 : 0;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                _lastError = $"applying the cluster state to nginx failed: {e.Message}";
                _log.LogError(e, "Applying the cluster state to nginx failed");
            }
        }
    }

    /// <summary>
    /// Checks the routes nginx serves after every reload or restart (those whose upstreams changed since they last
    /// worked, plus the path through the front for all), and the failing ones again with backoff until they work.
    /// </summary>
    private async Task CheckRoutesAsync(CancellationToken stop)
    {
        var failures = 0;
        var working = new Dictionary<string, HttpRouteSummary>(StringComparer.Ordinal);
        while (!stop.IsCancellationRequested)
        {
            try
            {
                bool failing;
                lock (_errorsLock)
                    failing = !_checkErrors.IsEmpty;
                var wait = failing ? RetryDelay.After(_options.RetryDelayFirst, _options.RetryDelayMax, Math.Max(0, failures - 1)) : Timeout.InfiniteTimeSpan;
                await _checkWanted.WaitAsync(wait, stop).ConfigureAwait(false);
                if (_applied is not { } config || _router?.Pid is null)
                    continue;

                var errors = new Dictionary<ManifestId, string>();
                if (await _check.CheckNginxAsync(stop).ConfigureAwait(false) is { } broken)
                {
                    foreach (var route in config.Routes)
                        errors[route.Manifest] = broken;
                    working.Clear();
                }
                else
                {
                    var due = config.Routes.Where(r => !working.TryGetValue(r.Host, out var ok) || !SameRoute(ok, r)).ToList();
                    var results = new System.Collections.Concurrent.ConcurrentDictionary<HttpRouteSummary, string?>();
                    await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = stop }, async (route, ct) =>
                        results[route] = await _check.CheckRouteAsync(route.Host, ct).ConfigureAwait(false)).ConfigureAwait(false);
                    var hosts = config.Routes.Select(r => r.Host).ToHashSet(StringComparer.Ordinal);
                    foreach (var gone in working.Keys.Where(h => !hosts.Contains(h)).ToList())
                        working.Remove(gone);
                    foreach (var (route, error) in results)
                    {
                        if (error is null)
                        {
                            working[route.Host] = route;
                        }
                        else
                        {
                            working.Remove(route.Host);
                            errors[route.Manifest] = error;
                        }
                    }
                }

                // A route checked earlier keeps its verdict until it is checked again, unless it left the configuration.
                ImmutableDictionary<ManifestId, string> next;
                lock (_errorsLock)
                {
                    var routed = config.Routes.Select(r => r.Manifest).ToHashSet();
                    next = _checkErrors.Where(e => routed.Contains(e.Key) && !errors.ContainsKey(e.Key) && !working.Values.Any(w => w.Manifest == e.Key))
                        .Concat(errors)
                        .ToImmutableDictionary(e => e.Key, e => e.Value);
                    _checkErrors = next;
                }

                failures = next.IsEmpty ? 0 : failures + 1;
                foreach (var (id, error) in errors)
                    _log.LogWarning("HTTP route of {Manifest} does not work: {Error}", id, error);
                UpdateRouteErrors();
                Checked?.Invoke(next);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                _log.LogError(e, "Checking the HTTP routes failed");
            }
        }
    }

    /// <summary>Creates the state directory, takes its lock and finds the executables; returns the path of setsid.</summary>
    private string PrepareStateDir()
    {
        Directory.CreateDirectory(_options.StateDir);
        // Workers run as an unprivileged user when the agent is root: the directory with their socket and temp
        // files must be reachable for them whatever the data directory's permissions (see NginxOptions.RuntimeDir).
        if (!OperatingSystem.IsWindows())
        {
            var open = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
            if (_options.RuntimeDir != _options.StateDir)
            {
                var parent = Path.GetDirectoryName(_options.RuntimeDir)!;
                Directory.CreateDirectory(parent, open);
                Directory.CreateDirectory(_options.RuntimeDir, open);
                File.SetUnixFileMode(_options.RuntimeDir, open);
            }
            else
            {
                File.SetUnixFileMode(_options.StateDir, File.GetUnixFileMode(_options.StateDir) | open);
            }
        }

        try
        {
            _lock = new FileStream(Path.Combine(_options.StateDir, "supervisor.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            throw new NginxException($"another process supervises nginx in {_options.StateDir}");
        }

        if (!File.Exists(_options.NginxPath))
            throw new NginxException($"nginx not found at {_options.NginxPath}");
        return new[] { "/usr/bin/setsid", "/bin/setsid" }
            .Concat((Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Select(dir => Path.Combine(dir, "setsid")))
            .FirstOrDefault(File.Exists)
            ?? throw new NginxException("setsid (util-linux) is required to run nginx in its own process group");
    }

    /// <summary>A runtime directory of its own (not the state directory) holds only sockets and temp files: nothing to keep.</summary>
    private void RemoveRuntimeDir()
    {
        // Only by the supervisor that held the state directory's lock: another one may be using the same directory.
        if (_options.RuntimeDir == _options.StateDir || _lock is null)
            return;
        try
        {
            Directory.Delete(_options.RuntimeDir, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _log.LogWarning("Could not remove the nginx runtime directory {Dir}: {Error}", _options.RuntimeDir, e.Message);
        }
    }

    private void LogProblems(NginxConfig config)
    {
        var key = string.Join("\n", config.Problems);
        if (key == _problems)
            return;
        _problems = key;
        foreach (var problem in config.Problems)
            _log.LogWarning("HTTP route not written: {Problem}", problem);
    }
}
