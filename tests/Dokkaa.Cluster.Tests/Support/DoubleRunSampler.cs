using System.Collections.Concurrent;
using System.Diagnostics;
using Dokkaa.Core.Cluster;
using Xunit;
using Xunit.Abstractions;

namespace Dokkaa.Cluster.Tests.Support;

/// <summary>
/// Watches an exclusive app for an instance running twice. Every ~100 ms it lists the app's running containers on
/// every host's daemon (a cut-off or agent-less host's too, through its socket from the machine's namespace), the
/// hosts asked in parallel; a violation is an instance number running on two hosts in one sample. It also records
/// when one instance (<see cref="Watched"/>, the victim's copy) stopped on the victim and first ran elsewhere.
/// </summary>
public sealed class DoubleRunSampler : IAsyncDisposable
{
    private readonly ClusterProbe _probe;
    private readonly IReadOnlyList<string> _hosts;
    private readonly string _app;
    private readonly string _victim;
    private readonly CancellationTokenSource _stop = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly ConcurrentQueue<string> _violations = new();
    private readonly ConcurrentQueue<Sample> _samples = new();
    private readonly Task _loop;

    public DoubleRunSampler(ClusterProbe probe, IReadOnlyList<string> hosts, string app, string victim, InstanceId watched)
    {
        _probe = probe;
        _hosts = hosts;
        _app = app;
        _victim = victim;
        Watched = watched;
        _loop = Task.Run(LoopAsync);
    }

    public InstanceId Watched { get; }

    /// <summary>Time since the sampler started; the events of a test are timed on this clock.</summary>
    public TimeSpan Elapsed => _clock.Elapsed;

    public int Count => _samples.Count;

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await _loop;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }

    /// <summary>
    /// Writes what was seen after <paramref name="failureAt"/> (when the victim failed) and asserts the exclusive
    /// promise: no instance ever ran twice, the victim's copy stopped before the instance ran elsewhere, and the samples
    /// were dense enough to see a short double run (one Docker list now and then takes most of a second on a loaded machine).
    /// </summary>
    public void Report(ITestOutputHelper output, TimeSpan failureAt, string failure)
    {
        var seen = _samples.ToList();
        var fencedAt = seen.Where(s => s.At > failureAt && !s.VictimRuns).Select(s => s.At).FirstOrDefault();
        var movedAt = seen.Where(s => s.At > failureAt && s.MovedRuns).Select(s => s.At).FirstOrDefault();
        var minRunning = seen.Where(s => s.At > failureAt).Select(s => s.Running).DefaultIfEmpty(0).Min();
        output.WriteLine($"exclusive, {failure}: the victim's copy of instance {Watched.Instance} stopped {Figures.Seconds(fencedAt - failureAt)} after it, " +
                         $"the instance first seen running elsewhere {Figures.Seconds(movedAt - failureAt)} after it");
        var gaps = seen.Zip(seen.Skip(1), (a, b) => b.At - a.At).ToList();
        output.WriteLine($"{seen.Count} samples over {Figures.Seconds(Elapsed)} (every {gaps.Average(g => g.TotalMilliseconds):0} ms on average, longest gap " +
                         $"{gaps.Max().TotalMilliseconds:0} ms), fewest running in one sample after it: {minRunning}, violations (an instance running twice): {_violations.Count}");
        AssertNeverTwice(output);
        Assert.True(fencedAt > TimeSpan.Zero && movedAt > TimeSpan.Zero && fencedAt < movedAt,
            $"the victim's copy stopped at {Figures.Seconds(fencedAt)}, the instance ran elsewhere at {Figures.Seconds(movedAt)}");
        var slow = gaps.Count(g => g >= TimeSpan.FromMilliseconds(400));
        Assert.True(slow <= gaps.Count / 20, $"{slow} of {gaps.Count} gaps between samples of 400 ms or more, the longest {gaps.Max().TotalMilliseconds:0} ms");
    }

    /// <summary>Names the first violations, if any, and fails on them.</summary>
    public void AssertNeverTwice(ITestOutputHelper output)
    {
        foreach (var violation in _violations.Take(10))
            output.WriteLine("  " + violation);
        Assert.Empty(_violations);
    }

    /// <summary>Whether the victim's copy of <see cref="Watched"/> was seen not running at some sample after <paramref name="after"/>.</summary>
    public bool VictimStoppedAfter(TimeSpan after) => _samples.Any(s => s.At > after && !s.VictimRuns);

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var at = _clock.Elapsed;
            var running = (await _probe.ContainersAsync(_hosts, _app)).Where(c => c.Running).ToList();
            _samples.Enqueue(new Sample(at, running.Count, running.Any(c => c.Host == _victim && c.Instance == Watched),
                running.Any(c => c.Host != _victim && c.Instance == Watched)));
            foreach (var twice in running.GroupBy(c => c.Instance.Instance).Where(g => g.Count() > 1))
                _violations.Enqueue($"{Figures.Seconds(at)}: instance {twice.Key} runs on {string.Join(" and ", twice.Select(c => c.Host))}");
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), _stop.Token);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    private sealed record Sample(TimeSpan At, int Running, bool VictimRuns, bool MovedRuns);
}
