using Dokkaa.Agent.Docker;
using Dokkaa.Agent.Reconciliation;
using Dokkaa.Core.Cluster;
using Xunit;

namespace Dokkaa.Agent.Tests.Units.Reconciliation;

/// <summary>The step for an owned instance, decided from its claim, its container, the backoff and the clock alone.</summary>
public sealed class InstanceDeciderTests
{
    private const string Hash = "v2";
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly InstanceId Id = new("shop", "web", 1);

    [Fact]
    public void Without_a_container_it_starts_one_unless_the_backoff_holds_it_back()
    {
        Assert.Equal(InstanceStep.Start, Decide(null).Step);
        Assert.Equal(InstanceStep.Nothing, Decide(null, backoff: Failing(nextAttempt: Now + TimeSpan.FromSeconds(1))).Step);
        Assert.Equal(InstanceStep.Start, Decide(null, backoff: Failing(nextAttempt: Now)).Step);
    }

    [Fact]
    public void A_container_of_an_older_version_is_replaced_in_place_when_stopped_and_rolled_when_running()
    {
        Assert.Equal(InstanceStep.Recreate, Decide(Container(running: false, hash: "v1")).Step);
        Assert.Equal(InstanceStep.Remove, Decide(Container(running: false, hash: "v1"), backoff: Failing(nextAttempt: Now + TimeSpan.FromSeconds(1))).Step);
        Assert.Equal(InstanceStep.Replace, Decide(Container(running: true, hash: "v1")).Step);
    }

    [Fact]
    public void A_running_container_has_its_links_checked_first_and_is_recreated_when_they_lead_nowhere()
    {
        Assert.Equal(InstanceStep.CheckLinks, Decide(Container(running: true)).Step);
        Assert.Equal(InstanceStep.Recreate, Decide(Container(running: true), linksIntact: false).Step);
    }

    [Fact]
    public void A_running_container_the_claim_already_describes_needs_nothing_otherwise_the_claim_is_rewritten()
    {
        var container = Container(running: true, startedAt: Now - TimeSpan.FromSeconds(1));
        var described = Claim() with { Record = ClaimRecords.For(container, "h1", "10.0.0.1", Hash, InstanceState.Running, null, Now) };

        Assert.Equal(InstanceStep.Nothing, Decide(container, linksIntact: true, claim: described).Step);
        var decision = Decide(container, linksIntact: true);
        Assert.Equal(InstanceStep.Report, decision.Step);
        Assert.Equal((InstanceState.Running, container.Id, Hash, "h1", "10.0.0.1", 8080), (decision.Report!.State, decision.Report.ContainerId, decision.Report.ManifestHash, decision.Report.Host, decision.Report.Address, decision.Report.Ports["80/tcp"]));
    }

    [Fact]
    public void A_container_that_keeps_failing_reports_the_failure_until_it_has_run_long_enough_to_be_forgiven()
    {
        var claim = Claim() with { Record = Claim().Record with { Restarts = 2 } };
        var failing = Failing(nextAttempt: Now - TimeSpan.FromSeconds(1));

        var young = Decide(Container(running: true, startedAt: Now - TimeSpan.FromSeconds(1)), linksIntact: true, backoff: failing, claim: claim);
        Assert.Equal(("exited (restarted 2 times)", 2, false), (young.Report!.Error, young.Report.Restarts, young.Forgive));

        var stable = Decide(Container(running: true, startedAt: Now - RestartBackoff.StableAfter), linksIntact: true, backoff: failing, claim: claim);
        Assert.Equal(((string?)null, 0, true), (stable.Report!.Error, stable.Report.Restarts, stable.Forgive));
    }

    [Fact]
    public void A_container_the_fence_stopped_is_started_again_without_counting_a_crash()
    {
        Assert.Equal(InstanceStep.RestartFenced, Decide(Container(running: false), stoppedByFence: true).Step);
    }

    [Fact]
    public void An_exited_container_is_restarted_with_the_reason_unless_the_backoff_holds_it_back_or_a_long_run_forgives_it()
    {
        var exited = Container(running: false, startedAt: Now - TimeSpan.FromSeconds(2), finishedAt: Now, exitCode: 3, error: "oom");
        var restart = Decide(exited);
        Assert.Equal((InstanceStep.Restart, "container exited with code 3 after 2s: oom", false), (restart.Step, restart.Error, restart.Forgive));

        var recent = Failing(nextAttempt: Now + TimeSpan.FromSeconds(30), recordedAt: Now - TimeSpan.FromMinutes(1));
        Assert.Equal(InstanceStep.Nothing, Decide(exited, backoff: recent).Step);

        // It ran for the stability window after the last failure: a fresh start, not the next step of the backoff.
        var lasted = exited with { StartedAt = Now - RestartBackoff.StableAfter };
        var forgiven = Decide(lasted, backoff: recent);
        Assert.Equal((InstanceStep.Restart, true), (forgiven.Step, forgiven.Forgive));
    }

    private static InstanceDecision Decide(ContainerDetails? container, bool? linksIntact = null, bool stoppedByFence = false, RestartBackoff.Entry? backoff = null, InstanceClaim? claim = null) =>
        InstanceDecider.Decide(new InstanceFacts(claim ?? Claim(), Hash, container, linksIntact, stoppedByFence, backoff, Now, "h1", "10.0.0.1"));

    private static InstanceClaim Claim() =>
        new(Id, new InstanceRecord { Host = "h1", Address = "10.0.0.1", ManifestHash = Hash, State = InstanceState.Starting }, 5, 5, 1);

    private static RestartBackoff.Entry Failing(DateTimeOffset nextAttempt, DateTimeOffset? recordedAt = null) =>
        new(1, nextAttempt, "exited") { RecordedAt = recordedAt ?? Now - TimeSpan.FromSeconds(5) };

    private static ContainerDetails Container(bool running, string hash = Hash, DateTimeOffset? startedAt = null, DateTimeOffset? finishedAt = null, int exitCode = 0, string? error = null) => new()
    {
        Id = "c1",
        Name = "/" + Id.ContainerName,
        Image = "shop/web:1",
        Running = running,
        Status = running ? "running" : "exited",
        StartedAt = startedAt ?? Now - TimeSpan.FromSeconds(1),
        FinishedAt = finishedAt,
        ExitCode = exitCode,
        Error = error,
        Labels = new Dictionary<string, string> { [ContainerNames.ManifestHashLabel] = hash },
        Ports = new Dictionary<string, int> { ["80/tcp"] = 8080 },
    };
}
