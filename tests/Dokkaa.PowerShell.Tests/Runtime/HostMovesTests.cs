using Dokkaa.Core.Cluster;
using Dokkaa.Core.Placement;
using Xunit;

namespace Dokkaa.PowerShell.Tests.Runtime;

/// <summary>What Suspend-, Resume-DokkaaHost and Optimize-DokkaaPlacement say to ShouldProcess and show as progress.</summary>
public sealed class HostMovesTests
{
    private static InstanceMove Move(string app, string name, int instance, string from = "h1") => new(new InstanceId(app, name, instance), from);

    [Fact]
    public void Progress_follows_the_planned_move_each_line_is_about()
    {
        var moves = new[] { Move("shop", "web", 1), Move("shop", "web", 10), Move("shop", "web", 2), Move("dummy", "nginx", 1) };
        var progress = new MoveProgress(MoveProgress.DrainActivity("h1"), moves);
        Assert.Equal("Draining host h1", progress.Activity);
        Assert.Equal(("Starting", 0, (string?)null, 0), (progress.Status, progress.Percent, progress.CurrentOperation, progress.Reports));

        progress.Report("h1: draining, takes no new instances");
        Assert.Equal(("h1: draining, takes no new instances", 0, (string?)null, 1), (progress.Status, progress.Percent, progress.CurrentOperation, progress.Reports));

        // shop/web/10 is not shop/web/1: the id is matched up to its colon.
        progress.Report("shop/web/10: moving off h1");
        Assert.Equal((25, "move 2 of 4"), (progress.Percent, progress.CurrentOperation));
        progress.Report("shop/web/1: now on h2");
        Assert.Equal((0, "move 1 of 4"), (progress.Percent, progress.CurrentOperation));
        progress.Report("dummy/nginx/1: moving off h1");
        Assert.Equal((75, "move 4 of 4"), (progress.Percent, progress.CurrentOperation));

        // A line about nothing planned changes the text only; an empty line nothing at all.
        progress.Report("something else");
        Assert.Equal(("something else", 75), (progress.Status, progress.Percent));
        progress.Report(" ");
        Assert.Equal(("something else", 5), (progress.Status, progress.Reports));
    }

    [Fact]
    public void Progress_without_planned_moves_stays_at_zero()
    {
        var progress = new MoveProgress(MoveProgress.RebalanceActivity, []);
        progress.Report("h1: draining, takes no new instances");
        Assert.Equal(("Rebalancing placement", 0, (string?)null), (progress.Activity, progress.Percent, progress.CurrentOperation));
    }

    [Fact]
    public void Drain_action_lists_the_first_ten_instances_and_counts_the_rest()
    {
        var moves = Enumerable.Range(1, 12).Select(i => Move("shop", "web", i)).ToList();
        var plan = new HostDrainPlan("h1", moves, [], AlreadyDrained: true);
        Assert.Equal("h1", plan.Target);
        Assert.Equal(
            "Drain host: already takes no new instances; move its 12 instance(s) off it, one at a time: " +
            "shop/web/1, shop/web/2, shop/web/3, shop/web/4, shop/web/5, shop/web/6, shop/web/7, shop/web/8, shop/web/9, shop/web/10 and 2 more",
            plan.Action);
    }

    [Theory]
    [InlineData(true, true, "Resume host: take new instances again (nothing moves back by itself; Optimize-DokkaaPlacement spreads instances)")]
    [InlineData(false, true, "Resume host: take new instances again once its agent is back")]
    [InlineData(true, false, "Resume host: it is not drained, nothing changes")]
    public void Resume_action_says_what_changes(bool live, bool drained, string action)
    {
        var plan = new HostResumePlan("h2", live, drained);
        Assert.Equal(("h2", action), (plan.Target, plan.Action));
    }

    [Fact]
    public void A_rebalance_move_is_one_ShouldProcess_on_the_instance()
    {
        var move = Move("shop", "web", 4, "h3");
        Assert.Equal("shop/web/4", HostMoves.Target(move));
        Assert.Equal("Rebalance: move instance off h3", HostMoves.Action(move));
        Assert.Equal("shop/web/4 off h3, dummy/nginx/1 off h1", HostMoves.Describe([move, Move("dummy", "nginx", 1)]));
    }
}
