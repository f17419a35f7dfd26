using System.Diagnostics;
using Dokkaa.Core.Cluster;
using Dokkaa.Core.Operations;
using Dokkaa.Core.Placement;
using Xunit;

namespace Dokkaa.PowerShell.Tests.Integration;

/// <summary>
/// Optimize-DokkaaPlacement as the cmdlet runs it: the plan (what -WhatIf lists, one ShouldProcess per
/// move), then each move inside the pipeline pump with <see cref="MoveProgress"/>, against a real etcd
/// and hand-written host and claim records. Each test's manifests require a label only its own hosts
/// carry, so the plan of one test never moves another test's instances; each test looks at the moves of
/// its own app, as an operator answering No to the others under -Confirm would.
/// </summary>
public sealed class RebalanceTests : IClassFixture<CmdletEtcdFixture>
{
    private static readonly IReadOnlyDictionary<string, int> NoPorts = new Dictionary<string, int>();

    private readonly CmdletEtcdFixture _etcd;

    public RebalanceTests(CmdletEtcdFixture etcd) => _etcd = etcd;

    private ClusterOperations Ops => _etcd.Operations;

    /// <summary>Hosts <c>&lt;test&gt;-1..n</c> and manifest <c>&lt;test&gt;/web</c> of the given scale, every instance claimed by host 1.</summary>
    private async Task ImbalancedAsync(string test, int hosts, int scale)
    {
        for (var i = 1; i <= hosts; i++)
            await _etcd.PutHostAsync($"{test}-{i}", $"10.1.{test.Length}.{i}", labels: new Dictionary<string, string> { ["test"] = test });
        await Ops.SetManifestJsonAsync(test, "web", $$"""{ "image": "shop/web:1.4", "scale": {{scale}}, "services": { "web": 8080 }, "constraints": { "test": "{{test}}" } }""");
        for (var i = 1; i <= scale; i++)
            await _etcd.PutInstanceAsync(test, "web", i, $"{test}-1", $"10.1.{test.Length}.1", InstanceState.Running, NoPorts);
    }

    private async Task<IReadOnlyList<InstanceMove>> PlanAsync(string app) =>
        (await HostMoves.PlanRebalanceAsync(Ops)).Where(m => m.Id.App == app).ToList();

    [Fact]
    public async Task WhatIf_lists_the_planned_moves_of_an_imbalanced_cluster_and_writes_nothing()
    {
        // All four instances on plan-1; plan-2 and plan-3 just joined.
        await ImbalancedAsync("plan", hosts: 3, scale: 4);
        var before = await _etcd.Client.CurrentRevisionAsync();

        var moves = await PlanAsync("plan");

        Assert.Equal(
            [
                ("plan/web/4", "Rebalance: move instance off plan-1"),
                ("plan/web/3", "Rebalance: move instance off plan-1"),
            ],
            moves.Select(m => (HostMoves.Target(m), HostMoves.Action(m))));
        Assert.Equal("plan/web/4 off plan-1, plan/web/3 off plan-1", HostMoves.Describe(moves));
        Assert.Equal(before, await _etcd.Client.CurrentRevisionAsync());
        Assert.Empty(await _etcd.KeysAsync(KeyLayout.EvictPrefix));
        Assert.Equal(4, (await Ops.GetContainersAsync("plan", host: "plan-1")).Count);
    }

    [Fact]
    public async Task A_balanced_manifest_and_hosts_that_drain_or_lack_the_label_get_no_moves()
    {
        await ImbalancedAsync("even", hosts: 2, scale: 2);
        await _etcd.PutInstanceAsync("even", "web", 2, "even-2", "10.1.4.2", InstanceState.Running, NoPorts);
        Assert.Empty(await PlanAsync("even"));

        // Three on one host, but the only other host with the label is being drained.
        await ImbalancedAsync("held", hosts: 2, scale: 3);
        await _etcd.PutHostAsync("held-other", "10.1.4.9");
        await _etcd.Client.PutAsync(KeyLayout.Drain("held-2"), "{}");
        try
        {
            Assert.Empty(await PlanAsync("held"));
        }
        finally
        {
            await _etcd.Client.DeleteAsync(KeyLayout.Drain("held-2"));
        }

        Assert.Single(await PlanAsync("held"));
    }

    [Fact]
    public async Task Each_planned_move_is_made_one_at_a_time_with_progress_on_the_pipeline_thread()
    {
        await ImbalancedAsync("run", hosts: 2, scale: 4);
        using var stop = new CancellationTokenSource();
        var agent = _etcd.RunStandInAgentAsync(_ => "run-2", stop.Token);

        var moves = await PlanAsync("run");
        Assert.Equal(["run/web/4", "run/web/3"], moves.Select(HostMoves.Target));
        var progress = new MoveProgress(MoveProgress.RebalanceActivity, moves);
        var pipelineThread = Environment.CurrentManagedThreadId;
        var shown = new List<(string Status, int Percent, int Thread)>();
        var output = new List<InstanceMove>();
        foreach (var move in moves)
        {
            output.Add(PipelinePump.Run((post, ct) => HostMoves.ExecuteAsync(Ops, move, TimeSpan.FromSeconds(30), new PipelineProgress<string>(post, m =>
            {
                progress.Report(m);
                shown.Add((progress.Status, progress.Percent, Environment.CurrentManagedThreadId));
            }), ct), CancellationToken.None));
        }

        await stop.CancelAsync();
        await agent;

        Assert.Equal(moves, output);
        Assert.All(shown, s => Assert.Equal(pipelineThread, s.Thread));
        Assert.Equal(
            [
                ("run/web/4: moving off run-1", 0),
                ("run/web/4: now on run-2", 0),
                ("run/web/3: moving off run-1", 50),
                ("run/web/3: now on run-2", 50),
            ],
            shown.Select(s => (s.Status, s.Percent)));
        Assert.Equal(["run-1", "run-1", "run-2", "run-2"], [
            await _etcd.ClaimedByAsync("run", "web", 1), await _etcd.ClaimedByAsync("run", "web", 2),
            await _etcd.ClaimedByAsync("run", "web", 3), await _etcd.ClaimedByAsync("run", "web", 4)]);
        Assert.Empty(await _etcd.KeysAsync(KeyLayout.EvictPrefix + "run/"));
        Assert.Empty(await PlanAsync("run"));
    }

    [Fact]
    public async Task A_move_that_nobody_makes_times_out_naming_the_instance_and_withdraws_the_request()
    {
        await ImbalancedAsync("late", hosts: 2, scale: 2);
        var move = Assert.Single(await PlanAsync("late"));

        var e = Assert.Throws<DokkaaException>(() => PipelinePump.Run((_, ct) => HostMoves.ExecuteAsync(Ops, move, TimeSpan.FromSeconds(1), null, ct), CancellationToken.None));
        Assert.Equal("DokkaaTimeout", e.ErrorId);
        Assert.Equal("OperationTimeout", ErrorIds.CategoryOf(e.Kind));
        Assert.Contains("late/web/2 did not start elsewhere", e.Message, StringComparison.Ordinal);
        Assert.Empty(await _etcd.KeysAsync(KeyLayout.EvictPrefix + "late/"));
        Assert.Equal("late-1", await _etcd.ClaimedByAsync("late", "web", 2));
    }

    [Fact]
    public async Task Ctrl_C_stops_a_move_promptly_and_withdraws_the_request()
    {
        await ImbalancedAsync("ctrlc", hosts: 2, scale: 2);
        var move = Assert.Single(await PlanAsync("ctrlc"));
        using var stop = new CancellationTokenSource();
        var reported = new ManualResetEventSlim();
        var stopper = Task.Run(async () =>
        {
            // Stopped while the move waits: the owner has been asked to release the instance.
            reported.Wait(TimeSpan.FromSeconds(30));
            await Dokkaa.Testing.Poll.UntilAsync(() => _etcd.KeysAsync(KeyLayout.EvictPrefix + "ctrlc/"), keys => keys.Count == 1, "the evict request");
            await stop.CancelAsync();
        });

        var clock = Stopwatch.StartNew();
        Assert.ThrowsAny<OperationCanceledException>(() => PipelinePump.Run((post, ct) =>
            HostMoves.ExecuteAsync(Ops, move, TimeSpan.FromMinutes(10), new PipelineProgress<string>(post, _ => reported.Set()), ct), stop.Token));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"stopping took {clock.Elapsed}");
        await stopper;
        Assert.Empty(await _etcd.KeysAsync(KeyLayout.EvictPrefix + "ctrlc/"));
        Assert.Equal("ctrlc-1", await _etcd.ClaimedByAsync("ctrlc", "web", 2));
    }
}
