using System.Diagnostics;
using Dokkaa.Core.Operations;
using Xunit;

namespace Dokkaa.PowerShell.Tests.Integration;

/// <summary>
/// Wait-DokkaaManifest as the cmdlet runs it: WaitForManifestAsync inside <see cref="PipelinePump"/>, with
/// progress handed to the pipeline thread, against status records that change while it waits.
/// </summary>
public sealed class WaitTests : IClassFixture<CmdletEtcdFixture>
{
    private readonly CmdletEtcdFixture _etcd;

    public WaitTests(CmdletEtcdFixture etcd) => _etcd = etcd;

    private ClusterOperations Ops => _etcd.Operations;

    [Fact]
    public async Task Waits_until_converged_reporting_progress_on_the_pipeline_thread()
    {
        await Ops.SetManifestAsync("wait", "nginx", StandInAgent.Nginx(3));
        await _etcd.PutStatusAsync("wait", "nginx", running: 1, pending: 2);
        var pipelineThread = Environment.CurrentManagedThreadId;
        var progress = new List<(string Status, int Percent, int Thread)>();

        var agent = Task.Run(async () =>
        {
            await Dokkaa.Testing.Poll.UntilAsync(() => { lock (progress) return progress.Count > 0; }, "a first progress report");
            await _etcd.PutStatusAsync("wait", "nginx", running: 2, pending: 1);
            await Task.Delay(400);
            await _etcd.PutStatusAsync("wait", "nginx", running: 3, pending: 0);
        });

        var status = PipelinePump.Run((post, ct) => Ops.WaitForManifestAsync("wait", "nginx", TimeSpan.FromSeconds(30),
            new PipelineProgress<ManifestStatusInfo>(post, s => { lock (progress) progress.Add((WaitProgress.Status(s), WaitProgress.Percent(s), Environment.CurrentManagedThreadId)); }), ct),
            CancellationToken.None);
        await agent;

        Assert.True(status.Converged);
        Assert.Equal(3, status.Running);
        Assert.All(progress, p => Assert.Equal(pipelineThread, p.Thread));
        Assert.Equal("1 of 3 running, 2 pending, 0 outdated", progress[0].Status);
        Assert.Equal(33, progress[0].Percent);
        Assert.Equal(100, progress[^1].Percent);
    }

    [Fact]
    public async Task Timeout_says_what_is_missing()
    {
        await Ops.SetManifestAsync("wait", "slow", StandInAgent.Nginx(3));
        await _etcd.PutStatusAsync("wait", "slow", running: 1, pending: 2, outdated: 0, "image dockerfile/nginx: pull failed");
        var e = Assert.Throws<DokkaaException>(() => PipelinePump.Run((_, ct) => Ops.WaitForManifestAsync("wait", "slow", TimeSpan.FromSeconds(1), null, ct), CancellationToken.None));
        Assert.Equal("DokkaaTimeout", e.ErrorId);
        Assert.Equal("OperationTimeout", ErrorIds.CategoryOf(e.Kind));
        Assert.Contains("1 of 3 running, 2 pending, 0 outdated", e.Message, StringComparison.Ordinal);
        Assert.Contains("pull failed", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ctrl_C_stops_the_wait_promptly()
    {
        await Ops.SetManifestAsync("wait", "never", StandInAgent.Nginx(2));
        using var stop = new CancellationTokenSource();
        var reported = new ManualResetEventSlim();
        var stopper = Task.Run(() =>
        {
            reported.Wait(TimeSpan.FromSeconds(30));
            stop.Cancel();
        });
        var clock = Stopwatch.StartNew();
        Assert.ThrowsAny<OperationCanceledException>(() => PipelinePump.Run((post, ct) =>
            Ops.WaitForManifestAsync("wait", "never", TimeSpan.FromMinutes(10), new PipelineProgress<ManifestStatusInfo>(post, _ => reported.Set()), ct), stop.Token));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"stopping took {clock.Elapsed}");
        await stopper;
    }

    [Fact]
    public void A_missing_manifest_is_not_found_at_once()
    {
        var e = Assert.Throws<DokkaaException>(() => PipelinePump.Run((_, ct) => Ops.WaitForManifestAsync("wait", "absent", TimeSpan.FromMinutes(1), null, ct), CancellationToken.None));
        Assert.Equal("DokkaaManifestNotFound", e.ErrorId);
    }

    [Fact]
    public async Task Scale_zero_converges_when_nothing_runs()
    {
        await Ops.SetManifestAsync("wait", "off", StandInAgent.Nginx(0));
        await _etcd.PutStatusAsync("wait", "off", running: 0, pending: 0);
        var status = PipelinePump.Run((_, ct) => Ops.WaitForManifestAsync("wait", "off", TimeSpan.FromSeconds(10), null, ct), CancellationToken.None);
        Assert.True(status.Converged);
        Assert.Equal(100, WaitProgress.Percent(status));
    }
}
