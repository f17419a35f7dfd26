using Dokkaa.Core.Cluster;
using Dokkaa.Core.Operations;
using Dokkaa.Core.Placement;
using Xunit;

namespace Dokkaa.PowerShell.Tests.Integration;

/// <summary>
/// Suspend-DokkaaHost and Resume-DokkaaHost as the cmdlets run them (plan, ShouldProcess, execute inside the
/// pipeline pump with <see cref="MoveProgress"/>) against a real etcd, over host and claim records written
/// as agents write them. Each test has its own hosts, labelled with the test's name, and manifests that
/// require that label, so no test can place or move anything onto another test's hosts.
/// </summary>
public sealed class HostDrainTests : IClassFixture<CmdletEtcdFixture>
{
    private static readonly IReadOnlyDictionary<string, int> NoPorts = new Dictionary<string, int>();

    private readonly CmdletEtcdFixture _etcd;

    public HostDrainTests(CmdletEtcdFixture etcd) => _etcd = etcd;

    private ClusterOperations Ops => _etcd.Operations;

    private async Task HostsAsync(string test, params string[] hosts)
    {
        for (var i = 0; i < hosts.Length; i++)
            await _etcd.PutHostAsync(hosts[i], $"10.0.{test.Length}.{i + 1}", labels: new Dictionary<string, string> { ["test"] = test });
    }

    private Task ManifestAsync(string app, string name, int scale, string test, string? extraLabel = null) =>
        Ops.SetManifestJsonAsync(app, name, $$"""{ "image": "dockerfile/nginx", "scale": {{scale}}, "constraints": { "test": "{{test}}"{{(extraLabel is null ? "" : $", \"{extraLabel}\": \"yes\"")}} } }""");

    private Task ClaimAsync(string app, string name, int instance, string host) =>
        _etcd.PutInstanceAsync(app, name, instance, host, "10.0.0.1", InstanceState.Running, NoPorts);

    /// <summary>Runs the drain as Suspend-DokkaaHost does; returns the moves and the progress lines with the thread each was shown on.</summary>
    private (IReadOnlyList<InstanceMove> Moves, List<(string Status, int Percent, string? Operation, int Thread)> Shown, MoveProgress Progress) Drain(HostDrainPlan plan, TimeSpan timeoutPerMove)
    {
        var progress = new MoveProgress(MoveProgress.DrainActivity(plan.Host), plan.Moves);
        var shown = new List<(string, int, string?, int)>();
        try
        {
            var moves = PipelinePump.Run((post, ct) => HostMoves.ExecuteAsync(Ops, plan, timeoutPerMove, new PipelineProgress<string>(post, m =>
            {
                progress.Report(m);
                shown.Add((progress.Status, progress.Percent, progress.CurrentOperation, Environment.CurrentManagedThreadId));
            }), ct), CancellationToken.None);
            return (moves, shown, progress);
        }
        catch (DokkaaException e)
        {
            throw new DrainFailedException(e, progress);
        }
    }

    [Fact]
    public async Task Suspend_of_a_host_that_is_not_live_is_HostNotFound_and_writes_nothing()
    {
        await HostsAsync("unknown", "unknown-a");
        var before = await _etcd.Client.CurrentRevisionAsync();

        var e = await Assert.ThrowsAsync<DokkaaException>(() => HostMoves.PlanDrainAsync(Ops, "unknown-z"));
        Assert.Equal("DokkaaHostNotFound", e.ErrorId);
        Assert.Equal("ObjectNotFound", ErrorIds.CategoryOf(e.Kind));
        Assert.StartsWith("No live host unknown-z; live hosts: ", e.Message, StringComparison.Ordinal);
        Assert.Contains("unknown-a", e.Message, StringComparison.Ordinal);

        // Core's drain refuses it too, before it marks anything.
        var core = await Assert.ThrowsAsync<DokkaaException>(() => HostMoves.ExecuteAsync(Ops, new HostDrainPlan("unknown-z", [], [], false), TimeSpan.FromSeconds(5)));
        Assert.Equal(DokkaaErrorKind.HostNotFound, core.Kind);
        Assert.Equal(before, await _etcd.Client.CurrentRevisionAsync());
        Assert.Empty(await _etcd.KeysAsync(KeyLayout.Drain("unknown-z")));
    }

    [Fact]
    public async Task WhatIf_lists_what_would_move_and_what_cannot_and_writes_nothing()
    {
        await HostsAsync("whatif", "whatif-a", "whatif-b");
        // Only whatif-a carries the ssd label the pinned manifest requires.
        await _etcd.PutHostAsync("whatif-a", "10.0.6.1", labels: new Dictionary<string, string> { ["test"] = "whatif", ["ssd"] = "yes" });
        await ManifestAsync("whatif", "web", 3, "whatif");
        await ManifestAsync("whatif", "pinned", 1, "whatif", extraLabel: "ssd");
        await ClaimAsync("whatif", "web", 1, "whatif-a");
        await ClaimAsync("whatif", "web", 2, "whatif-a");
        await ClaimAsync("whatif", "web", 3, "whatif-b");
        await ClaimAsync("whatif", "pinned", 1, "whatif-a");
        var before = await _etcd.Client.CurrentRevisionAsync();

        var plan = await HostMoves.PlanDrainAsync(Ops, "whatif-a");

        Assert.Equal("whatif-a", plan.Target);
        Assert.Equal(["whatif/pinned/1", "whatif/web/1", "whatif/web/2"], plan.Moves.Select(m => m.Id.ToString()));
        Assert.All(plan.Moves, m => Assert.Equal("whatif-a", m.FromHost));
        Assert.Equal([new InstanceId("whatif", "pinned", 1)], plan.Unmovable);
        Assert.False(plan.AlreadyDrained);
        Assert.Equal(
            "Drain host: take no new instances; move its 3 instance(s) off it, one at a time: whatif/pinned/1, whatif/web/1, whatif/web/2; " +
            "no other host can take whatif/pinned/1 now (labels, capacity, draining), which would stop the drain there",
            plan.Action);

        Assert.Equal(before, await _etcd.Client.CurrentRevisionAsync());
        Assert.Empty(await _etcd.KeysAsync(KeyLayout.DrainPrefix + "whatif"));
        Assert.Empty(await _etcd.KeysAsync(KeyLayout.EvictPrefix + "whatif/"));
    }

    [Fact]
    public async Task A_host_that_runs_nothing_is_drained_at_once_then_resumed()
    {
        await HostsAsync("empty", "empty-a", "empty-b");
        var plan = await HostMoves.PlanDrainAsync(Ops, "empty-a");
        Assert.Equal("Drain host: take no new instances; it runs no instance", plan.Action);

        var pipelineThread = Environment.CurrentManagedThreadId;
        var (moves, shown, progress) = Drain(plan, TimeSpan.FromSeconds(5));
        Assert.Empty(moves);
        Assert.Equal([KeyLayout.Drain("empty-a")], await _etcd.KeysAsync(KeyLayout.Drain("empty-a")));
        var line = Assert.Single(shown);
        Assert.Equal(("empty-a: draining, takes no new instances", 0, (string?)null, pipelineThread), line);
        Assert.Equal(1, progress.Reports);

        // Drained now: placement skips it, and a second Suspend says so.
        Assert.Contains("empty-a", (await Ops.LoadStateAsync()).Drains);
        Assert.StartsWith("Drain host: already takes no new instances;", (await HostMoves.PlanDrainAsync(Ops, "empty-a")).Action, StringComparison.Ordinal);

        var resume = await HostMoves.PlanResumeAsync(Ops, "empty-a");
        Assert.Equal(("empty-a", true, true), (resume.Target, resume.IsLive, resume.IsDrained));
        Assert.Equal("Resume host: take new instances again (nothing moves back by itself; Optimize-DokkaaPlacement spreads instances)", resume.Action);
        await HostMoves.ExecuteAsync(Ops, resume);
        Assert.Empty(await _etcd.KeysAsync(KeyLayout.Drain("empty-a")));
        Assert.Equal("empty-a", (await HostMoves.GetHostAsync(Ops, "empty-a"))!.Name);

        var again = await HostMoves.PlanResumeAsync(Ops, "empty-a");
        Assert.Equal("Resume host: it is not drained, nothing changes", again.Action);
    }

    [Fact]
    public async Task A_drain_moves_the_instances_one_at_a_time_showing_progress_on_the_pipeline_thread()
    {
        await HostsAsync("moving", "moving-a", "moving-b");
        await ManifestAsync("moving", "web", 2, "moving");
        await ClaimAsync("moving", "web", 1, "moving-a");
        await ClaimAsync("moving", "web", 2, "moving-a");
        using var stop = new CancellationTokenSource();
        var agent = _etcd.RunStandInAgentAsync(_ => "moving-b", stop.Token);

        var plan = await HostMoves.PlanDrainAsync(Ops, "moving-a");
        var pipelineThread = Environment.CurrentManagedThreadId;
        var (moves, shown, _) = Drain(plan, TimeSpan.FromSeconds(30));
        await stop.CancelAsync();
        await agent;

        Assert.Equal(plan.Moves, moves);
        Assert.Equal(["moving-b", "moving-b"], [await _etcd.ClaimedByAsync("moving", "web", 1), await _etcd.ClaimedByAsync("moving", "web", 2)]);
        Assert.Empty(await _etcd.KeysAsync(KeyLayout.EvictPrefix + "moving/"));
        Assert.All(shown, s => Assert.Equal(pipelineThread, s.Thread));
        Assert.Equal(
            [
                ("moving-a: draining, takes no new instances", 0, null),
                ("moving/web/1: moving off moving-a", 0, "move 1 of 2"),
                ("moving/web/1: now on moving-b", 0, "move 1 of 2"),
                ("moving/web/2: moving off moving-a", 50, "move 2 of 2"),
                ("moving/web/2: now on moving-b", 50, "move 2 of 2"),
            ],
            shown.Select(s => (s.Status, s.Percent, s.Operation)));

        await HostMoves.ExecuteAsync(Ops, await HostMoves.PlanResumeAsync(Ops, "moving-a"));
    }

    [Fact]
    public async Task A_drain_that_cannot_move_an_instance_is_a_Conflict_and_leaves_the_host_drained()
    {
        await HostsAsync("blocked", "blocked-a", "blocked-b");
        await _etcd.PutHostAsync("blocked-a", "10.0.7.1", labels: new Dictionary<string, string> { ["test"] = "blocked", ["gpu"] = "yes" });
        await ManifestAsync("blocked", "train", 1, "blocked", extraLabel: "gpu");
        await ClaimAsync("blocked", "train", 1, "blocked-a");

        var plan = await HostMoves.PlanDrainAsync(Ops, "blocked-a");
        Assert.Equal([new InstanceId("blocked", "train", 1)], plan.Unmovable);
        var failed = Assert.Throws<DrainFailedException>(() => Drain(plan, TimeSpan.FromSeconds(5)));

        Assert.Equal("DokkaaConflict", failed.Error.ErrorId);
        Assert.Equal("ResourceBusy", ErrorIds.CategoryOf(failed.Error.Kind));
        Assert.Contains("blocked/train/1 cannot move off blocked-a", failed.Error.Message, StringComparison.Ordinal);
        // What makes Suspend-DokkaaHost warn that the host stays drained: the drain reported its mark.
        Assert.True(failed.Progress.Reports > 0);
        Assert.Equal([KeyLayout.Drain("blocked-a")], await _etcd.KeysAsync(KeyLayout.Drain("blocked-a")));
        Assert.Empty(await _etcd.KeysAsync(KeyLayout.EvictPrefix + "blocked/"));
        Assert.Equal("blocked-a", await _etcd.ClaimedByAsync("blocked", "train", 1));

        await HostMoves.ExecuteAsync(Ops, await HostMoves.PlanResumeAsync(Ops, "blocked-a"));
        Assert.Empty(await _etcd.KeysAsync(KeyLayout.Drain("blocked-a")));
    }

    [Fact]
    public async Task A_drained_host_whose_agent_is_stopped_can_be_resumed_and_an_unknown_one_cannot()
    {
        await HostsAsync("stopped", "stopped-a");
        Drain(await HostMoves.PlanDrainAsync(Ops, "stopped-a"), TimeSpan.FromSeconds(5));
        await _etcd.Client.DeleteAsync(KeyLayout.Host("stopped-a")); // The agent stopped for maintenance: its lease expired.

        var resume = await HostMoves.PlanResumeAsync(Ops, "stopped-a");
        Assert.Equal((false, true), (resume.IsLive, resume.IsDrained));
        Assert.Equal("Resume host: take new instances again once its agent is back", resume.Action);
        await HostMoves.ExecuteAsync(Ops, resume);
        Assert.Empty(await _etcd.KeysAsync(KeyLayout.Drain("stopped-a")));
        Assert.Null(await HostMoves.GetHostAsync(Ops, "stopped-a"));

        var before = await _etcd.Client.CurrentRevisionAsync();
        var e = await Assert.ThrowsAsync<DokkaaException>(() => HostMoves.PlanResumeAsync(Ops, "stopped-a"));
        Assert.Equal("DokkaaHostNotFound", e.ErrorId);
        Assert.StartsWith("No live or drained host stopped-a;", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, await _etcd.Client.CurrentRevisionAsync());
    }

    [Fact]
    public async Task GetHost_takes_the_name_literally()
    {
        await HostsAsync("literal", "literal-a", "literal-ab");
        Assert.Equal("literal-a", (await HostMoves.GetHostAsync(Ops, "literal-a"))!.Name);
        Assert.Null(await HostMoves.GetHostAsync(Ops, "literal-*"));
    }

    private sealed class DrainFailedException(DokkaaException error, MoveProgress progress) : Exception(error.Message, error)
    {
        public DokkaaException Error { get; } = error;

        public MoveProgress Progress { get; } = progress;
    }
}
