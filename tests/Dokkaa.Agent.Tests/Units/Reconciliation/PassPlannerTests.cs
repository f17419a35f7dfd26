using Dokkaa.Agent.Containers;
using Dokkaa.Agent.Docker;
using Dokkaa.Agent.Reconciliation;
using Dokkaa.Agent.Tests.Http;
using Dokkaa.Core.Cluster;
using Dokkaa.Core.Placement;
using Dokkaa.Core.Status;
using Dokkaa.Testing;
using Xunit;

namespace Dokkaa.Agent.Tests.Units.Reconciliation;

/// <summary>The pass's decision on its own: a cluster view and this host's containers in, actions, statuses and the wake-up out.</summary>
public sealed class PassPlannerTests
{
    private const string Me = "h1";
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly ReconcilerOptions Options = new() { HostIp = "10.0.0.1" };
    private static readonly ManifestId Web = new("shop", "web");

    [Fact]
    public void An_instance_running_as_its_claim_says_needs_nothing_and_one_above_the_scale_is_stopped_with_its_claim()
    {
        var cluster = new ClusterStateBuilder().Host(Me).HttpManifest("shop", "web", null, scale: 1);
        var state = Serving(Serving(cluster.HttpInstance("shop", "web", 1, "10.0.0.1", null, manifestHash: HashOf(cluster)).HttpInstance("shop", "web", 2, "10.0.0.1", null, manifestHash: HashOf(cluster)).State, 1), 2);
        var containers = new[] { Container(state, 1), Container(state, 2) };

        var plan = PassPlanner.Plan(Input(state, containers));

        var stop = Assert.IsType<StopAction>(Assert.Single(plan.Actions));
        Assert.Equal((new InstanceId("shop", "web", 2), StopReason.ScaledDown, state.Claim(new InstanceId("shop", "web", 2))), (stop.Id, stop.Reason, stop.Claim));
        Assert.Equal(new[] { containers[1] }, stop.Containers);
    }

    [Fact]
    public void A_claim_on_an_earlier_lease_or_without_its_container_needs_work_unless_the_backoff_holds_it_back()
    {
        var cluster = new ClusterStateBuilder().Host(Me).HttpManifest("shop", "web", null, scale: 2);
        var state = cluster.HttpInstance("shop", "web", 1, "10.0.0.1", null, lease: 7, manifestHash: HashOf(cluster)).HttpInstance("shop", "web", 2, "10.0.0.1", null, manifestHash: HashOf(cluster)).State;
        var backoff = new RestartBackoff();

        var plan = PassPlanner.Plan(Input(state) with { Backoff = backoff });
        Assert.Equal(new[] { 1, 2 }, plan.Actions.Cast<EnsureAction>().Select(a => a.Id.Instance));

        backoff.Fail(new InstanceId("shop", "web", 2), "exited", Now);
        plan = PassPlanner.Plan(Input(state) with { Backoff = backoff });
        Assert.Equal(new[] { 1 }, plan.Actions.Cast<EnsureAction>().Select(a => a.Id.Instance));
    }

    [Fact]
    public void A_container_of_ours_nobody_claims_is_adopted_at_once_whatever_the_rank()
    {
        var cluster = new ClusterStateBuilder().Host("h0").Host(Me).Host("h2").HttpManifest("shop", "web", null, scale: 1);
        var state = cluster.State;
        var container = Container(state, 1);

        var claim = Assert.IsType<ClaimAction>(Assert.Single(PassPlanner.Plan(Input(state, container)).Actions));
        Assert.Equal((new InstanceId("shop", "web", 1), container), (claim.Id, claim.Existing));
    }

    [Fact]
    public void The_nth_ranked_host_claims_n_staggers_after_it_first_saw_the_instance_unclaimed()
    {
        var state = new ClusterStateBuilder().Host("h0").Host(Me).Host("h2").HttpManifest("shop", "web", null, scale: 1).State;
        var id = new InstanceId("shop", "web", 1);
        var rank = PlacementPlanner.Plan(state, Web, state.Manifests[Web].Effective!)[0].RankOf(Me);
        Assert.True(rank > 0, "the test needs a host that is not ranked first");

        var first = PassPlanner.Plan(Input(state));
        Assert.Empty(first.Actions);
        Assert.Equal(Now + (Options.ClaimStagger * rank), first.WakeAt);
        Assert.Equal(Now, first.UnclaimedSince[id]);

        var early = PassPlanner.Plan(Input(state) with { Now = Now + (Options.ClaimStagger * rank) - TimeSpan.FromMilliseconds(1), UnclaimedSince = first.UnclaimedSince });
        Assert.Empty(early.Actions);
        var due = PassPlanner.Plan(Input(state) with { Now = Now + (Options.ClaimStagger * rank), UnclaimedSince = first.UnclaimedSince });
        Assert.Equal(id, Assert.IsType<ClaimAction>(Assert.Single(due.Actions)).Id);
    }

    [Fact]
    public void While_cut_off_exclusive_instances_are_neither_claimed_nor_worked_on_and_the_pass_looks_again_in_a_second()
    {
        var cluster = new ClusterStateBuilder().Host(Me).HttpManifest("shop", "lock", null, scale: 2, exclusive: true).HttpManifest("shop", "web", null, scale: 1);
        var state = cluster.HttpInstance("shop", "lock", 1, "10.0.0.1", null, lease: 7).State;
        var input = Input(state) with { Fence = new FenceState(true, Now - TimeSpan.FromSeconds(6), TimeSpan.FromSeconds(10)) };

        var plan = PassPlanner.Plan(input);

        Assert.Equal(new[] { new InstanceId("shop", "web", 1) }, plan.Actions.Select(a => a.Id));
        Assert.Equal(Now + PassPlanner.FencedRecheck, plan.WakeAt);
    }

    [Fact]
    public void With_an_exclusive_manifest_an_open_fence_wakes_the_pass_when_it_would_close()
    {
        var state = new ClusterStateBuilder().Host(Me).HttpManifest("shop", "lock", null, scale: 0, exclusive: true).State;
        var renewed = Now - TimeSpan.FromSeconds(2);

        var plan = PassPlanner.Plan(Input(state) with { Fence = new FenceState(false, renewed, TimeSpan.FromSeconds(10)) });

        Assert.Equal(renewed + TimeSpan.FromSeconds(5), plan.WakeAt);
    }

    [Fact]
    public void Containers_no_claim_of_ours_explains_are_stopped_and_say_why()
    {
        var cluster = new ClusterStateBuilder().Host(Me).Host("h2").HttpManifest("shop", "web", null, scale: 2);
        var state = cluster.HttpInstance("shop", "web", 1, "10.0.0.2", null, host: "h2").HttpInstance("shop", "web", 2, "10.0.0.1", null, manifestHash: HashOf(cluster)).State;
        state = Serving(state, 2);
        var copy = Container(state, 1);
        var leftover = Container(state, 2, name: "shop---web---2---next");
        var orphan = Container(state, 5);
        var otherApp = Container(state, 1, app: "gone");

        var plan = PassPlanner.Plan(Input(state, copy, Container(state, 2), leftover, orphan, otherApp));

        var stops = plan.Actions.Cast<StopAction>().ToDictionary(s => s.Id);
        Assert.Equal(4, stops.Count);
        Assert.Equal((StopReason.OwnedElsewhere, (InstanceClaim?)null, copy.Id), (stops[IdOf(copy)].Reason, stops[IdOf(copy)].Claim, Ids(stops[IdOf(copy)])));
        Assert.Equal((StopReason.Extra, leftover.Id), (stops[IdOf(leftover)].Reason, Ids(stops[IdOf(leftover)])));
        Assert.Equal(StopReason.Orphan, stops[IdOf(orphan)].Reason);
        Assert.Equal(StopReason.Orphan, stops[IdOf(otherApp)].Reason);
    }

    [Fact]
    public void Claims_of_a_deleted_manifest_are_stopped_and_its_status_goes_once_no_claim_is_left()
    {
        var state = new ClusterStateBuilder().Host(Me).HttpInstance("shop", "web", 1, "10.0.0.1", null).State;
        state = state with { Statuses = state.Statuses.SetItem(Web, (new StatusRecord(), 42)) };
        var container = Container(state, 1, hash: "hash");

        var plan = PassPlanner.Plan(Input(state, container));
        var stop = Assert.IsType<StopAction>(Assert.Single(plan.Actions));
        Assert.Equal((StopReason.ManifestDeleted, container.Id), (stop.Reason, Ids(stop)));
        Assert.Empty(plan.Statuses);

        var released = state with { Instances = state.Instances.Clear() };
        Assert.Equal(new[] { new StatusChange(Web, null, 42) }, PassPlanner.Plan(Input(released)).Statuses);
    }

    [Fact]
    public void An_evicted_instance_is_given_away_and_never_adopted_back()
    {
        var cluster = new ClusterStateBuilder().Host(Me).Host("h2").HttpManifest("shop", "web", null, scale: 2);
        var state = cluster.HttpInstance("shop", "web", 1, "10.0.0.1", null, manifestHash: HashOf(cluster)).State;
        state = state with { Evictions = state.Evictions.SetItem(new InstanceId("shop", "web", 1), Me).SetItem(new InstanceId("shop", "web", 2), Me) };
        var containers = new[] { Container(state, 1), Container(state, 2) };

        var plan = PassPlanner.Plan(Input(state, containers));

        Assert.Equal(new[] { (1, StopReason.Evicted, true), (2, StopReason.Evicted, false) },
            plan.Actions.Cast<StopAction>().Select(s => (s.Id.Instance, s.Reason, s.Claim is not null)).OrderBy(s => s.Instance));
    }

    [Fact]
    public void An_instance_an_operation_still_runs_on_gets_no_second_one()
    {
        var cluster = new ClusterStateBuilder().Host(Me).HttpManifest("shop", "web", null, scale: 1);
        var state = cluster.HttpInstance("shop", "web", 1, "10.0.0.1", null, lease: 7).HttpInstance("shop", "web", 2, "10.0.0.1", null).State;
        var busy = new HashSet<InstanceId> { new("shop", "web", 1), new("shop", "web", 2) };

        Assert.Empty(PassPlanner.Plan(Input(state, Container(state, 2)) with { InFlight = busy }).Actions);
    }

    [Fact]
    public void Only_the_status_writer_writes_a_changed_status()
    {
        var state = new ClusterStateBuilder().Host(Me).Host("h2").HttpManifest("shop", "web", null, scale: 0).State;
        var writer = StatusCalculator.Writer(state, Web);
        var other = writer == Me ? "h2" : Me;

        var change = Assert.Single(PassPlanner.Plan(Input(state) with { HostId = writer! }).Statuses);
        Assert.Equal((Web, 0L), (change.Id, change.ModRevision));
        Assert.True(change.Status!.SameAs(StatusCalculator.Compute(state, state.Manifests[Web])));
        Assert.Empty(PassPlanner.Plan(Input(state) with { HostId = other }).Statuses);
    }

    private static PassInput Input(ClusterState state, params ContainerSummary[] containers) =>
        new(state, LocalContainers.Of(containers), Me, 1, new FenceState(false, Now, TimeSpan.FromSeconds(10)), Now,
            new HashSet<InstanceId>(), new Dictionary<InstanceId, DateTimeOffset>(), new RestartBackoff(), Options);

    private static string HashOf(ClusterStateBuilder cluster) => cluster.State.Manifests[Web].Hash!;

    /// <summary>The claim names the container <see cref="Container"/> makes for it.</summary>
    private static ClusterState Serving(ClusterState state, int instance)
    {
        var id = new InstanceId("shop", "web", instance);
        var claim = state.Claim(id)!;
        return state with { Instances = state.Instances.SetItem(id, claim with { Record = claim.Record with { ContainerId = ContainerIdOf(id) } }) };
    }

    private static ContainerSummary Container(ClusterState state, int instance, string app = "shop", string? name = null, string? hash = null)
    {
        var id = new InstanceId(app, "web", instance);
        var labels = ContainerSpecFactory.LabelsFor(id, hash ?? state.Manifests.GetValueOrDefault(id.Manifest)?.Hash ?? "hash", Me);
        return new ContainerSummary(ContainerIdOf(id) + (name is null ? "" : "-next"), "/" + (name ?? id.ContainerName), "shop/web:1", "running", labels);
    }

    private static string Ids(StopAction stop) => string.Join(",", stop.Containers.Select(c => c.Id));

    private static InstanceId IdOf(ContainerSummary container) => ContainerSpecFactory.InstanceOf(container.Labels)!.Value;

    private static string ContainerIdOf(InstanceId id) => $"c-{id.App}-{id.Name}-{id.Instance}";
}
