using System.Management.Automation;
using Dokkaa.Core.Operations;
using Dokkaa.Core.Placement;

namespace Dokkaa.PowerShell.Commands;

/// <summary>
/// A cmdlet that moves instances between hosts: <c>-Timeout</c> per move, and what the Core operation
/// reports shown as progress and verbose lines, on the pipeline thread.
/// </summary>
public abstract class DokkaaMoveCmdlet : DokkaaClusterCmdlet
{
    private const int ActivityId = 1;

    /// <summary>How long each move may take (until the instance runs on another host) before failing with DokkaaTimeout: a TimeSpan, seconds, or text such as <c>90s</c>, <c>2m</c>.</summary>
    [Parameter]
    [DurationTransformation]
    [ValidatePositiveDuration]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(2);

    protected TimeSpan TimeoutPerMove => Timeout;

    /// <summary>Runs <paramref name="work"/>, handing what it reports to <paramref name="progress"/> and the progress bar.</summary>
    protected T RunMoves<T>(MoveProgress progress, Func<IProgress<string>, CancellationToken, Task<T>> work) =>
        Run((post, ct) => work(new PipelineProgress<string>(post, message =>
        {
            progress.Report(message);
            WriteVerbose(message);
            WriteProgress(new ProgressRecord(ActivityId, progress.Activity, progress.Status)
            {
                PercentComplete = progress.Percent,
                CurrentOperation = progress.CurrentOperation,
            });
        }), ct));

    protected void CompleteProgress(MoveProgress progress)
    {
        if (!Cancellation.IsCancellationRequested && progress.Reports > 0)
            WriteProgress(new ProgressRecord(ActivityId, progress.Activity, "Done") { RecordType = ProgressRecordType.Completed });
    }
}

/// <summary>Suspend-DokkaaHost: drains a host before maintenance; it takes nothing new and its instances move away one at a time.</summary>
[Cmdlet(VerbsLifecycle.Suspend, "DokkaaHost", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = NameSet, HelpUri = HelpUris.Base + "Suspend-DokkaaHost.md")]
[OutputType(typeof(InstanceMove))]
public sealed class SuspendDokkaaHostCommand : DokkaaMoveCmdlet
{
    private const string NameSet = "Name";
    private const string InputObjectSet = "InputObject";

    /// <summary>The host; binds the Name property of piped objects too.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = NameSet)]
    [Alias("Name")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(HostCompleter))]
    public string HostName { get; set; } = "";

    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = InputObjectSet)]
    public HostInfo? InputObject { get; set; }

    protected override void ProcessRecord()
    {
        var host = InputObject?.Name ?? HostName;
        Attempt(host, () =>
        {
            var plan = Run(ct => HostMoves.PlanDrainAsync(Operations, host, ct));
            if (!ShouldProcess(plan.Target, plan.Action))
                return;
            var progress = new MoveProgress(MoveProgress.DrainActivity(host), plan.Moves);
            try
            {
                var moves = RunMoves(progress, (report, ct) => HostMoves.ExecuteAsync(Operations, plan, TimeoutPerMove, report, ct));
                WriteVerbose($"{host}: drained, {moves.Count} instance(s) moved; Resume-DokkaaHost {host} lets it take instances again");
                WriteObject(moves, enumerateCollection: true);
            }
            catch (DokkaaException) when (progress.Reports > 0)
            {
                // The drain reports only after it has marked the host: the mark stays after a failed move.
                WriteWarning($"{host} stays drained: it takes no new instances, and the instances not moved keep running there. Resume-DokkaaHost {host} removes the mark.");
                throw;
            }
            finally
            {
                CompleteProgress(progress);
            }
        });
    }
}

/// <summary>Resume-DokkaaHost: lets a drained host take instances again.</summary>
[Cmdlet(VerbsLifecycle.Resume, "DokkaaHost", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, DefaultParameterSetName = NameSet, HelpUri = HelpUris.Base + "Resume-DokkaaHost.md")]
[OutputType(typeof(HostInfo))]
public sealed class ResumeDokkaaHostCommand : DokkaaClusterCmdlet
{
    private const string NameSet = "Name";
    private const string InputObjectSet = "InputObject";

    /// <summary>The host; binds the Name property of piped objects too.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = NameSet)]
    [Alias("Name")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(HostCompleter))]
    public string HostName { get; set; } = "";

    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = InputObjectSet)]
    public HostInfo? InputObject { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        var host = InputObject?.Name ?? HostName;
        Attempt(host, () =>
        {
            var plan = Run(ct => HostMoves.PlanResumeAsync(Operations, host, ct));
            if (!ShouldProcess(plan.Target, plan.Action))
                return;
            Run(ct => HostMoves.ExecuteAsync(Operations, plan, ct));
            WriteVerbose(plan.IsLive ? $"{host}: takes instances again" : $"{host}: not live now; it takes instances once its agent is back");
            if (!PassThru)
                return;
            if (Run(ct => HostMoves.GetHostAsync(Operations, host, ct)) is { } info)
                WriteObject(info);
        });
    }
}

/// <summary>Optimize-DokkaaPlacement: moves the fewest instances needed to spread every manifest evenly, one at a time.</summary>
[Cmdlet(VerbsCommon.Optimize, "DokkaaPlacement", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = HelpUris.Base + "Optimize-DokkaaPlacement.md")]
[OutputType(typeof(InstanceMove))]
public sealed class OptimizeDokkaaPlacementCommand : DokkaaMoveCmdlet
{
    protected override void ProcessRecord()
    {
        Attempt("placement", () =>
        {
            var moves = Run(ct => HostMoves.PlanRebalanceAsync(Operations, ct));
            if (moves.Count == 0)
            {
                WriteVerbose("Every manifest is spread evenly: nothing to move.");
                return;
            }

            WriteVerbose($"{moves.Count} move(s) restore the spread: {HostMoves.Describe(moves)}.");
            var progress = new MoveProgress(MoveProgress.RebalanceActivity, moves);
            try
            {
                // One ShouldProcess per move: -WhatIf lists the plan, -Confirm asks before each move.
                foreach (var move in moves)
                {
                    if (!ShouldProcess(HostMoves.Target(move), HostMoves.Action(move)))
                        continue;
                    Attempt(HostMoves.Target(move), () => WriteObject(RunMoves(progress, (report, ct) => HostMoves.ExecuteAsync(Operations, move, TimeoutPerMove, report, ct))));
                }
            }
            finally
            {
                CompleteProgress(progress);
            }
        });
    }
}
