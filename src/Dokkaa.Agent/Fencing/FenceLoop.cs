using Dokkaa.Agent.Containers;
using Dokkaa.Agent.Docker;
using Dokkaa.Core.Threading;
using Microsoft.Extensions.Logging;

namespace Dokkaa.Agent.Fencing;

/// <summary>
/// The fence process (<c>dokkaa-agent fence</c>): keeps the exclusive promise when the agent cannot, because it is
/// dead, stopped (SIGSTOP) or hung. It reads the lease record the agent writes on every confirmed renewal and talks
/// only to Docker. Once the last renewal is older than half the TTL (<see cref="FenceRule"/>) it stops this host's
/// exclusive containers, and keeps stopping them while the fence stays closed; the agent starts them again when it
/// renews. It exits when there is nothing left to guard: the agent is gone and none of them runs.
/// </summary>
public sealed class FenceLoop
{
    /// <summary>How often a closed fence looks again (a stop may fail; only an agent starts containers, but Docker may be slow to list them).</summary>
    private static readonly TimeSpan ClosedTick = TimeSpan.FromMilliseconds(100);

    /// <summary>Longest sleep while open: a new record may shorten the deadline (another agent with a shorter TTL).</summary>
    private static readonly TimeSpan OpenTickMax = TimeSpan.FromSeconds(1);

    private readonly FenceFiles _files;
    private readonly IDockerClient _docker;
    private readonly ILogger _log;
    private readonly TimeProvider _clock;
    private readonly string _bootId;
    private readonly Func<int, bool> _processAlive;

    public FenceLoop(FenceFiles files, IDockerClient docker, ILogger log, TimeProvider clock, string bootId, Func<int, bool> processAlive)
    {
        _files = files;
        _docker = docker;
        _log = log;
        _clock = clock;
        _bootId = bootId;
        _processAlive = processAlive;
    }

    /// <summary>Runs until cancelled or until nothing is left to guard.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        FenceRecord? record = null;
        var wasOpen = true;
        while (!cancellationToken.IsCancellationRequested)
        {
            // A record that cannot be read now (being replaced, deleted) never makes the lease look fresher: keep the last one.
            record = _files.Read() ?? record;
            var verdict = FenceRule.Decide(record, _bootId, MonotonicClock.Nanoseconds(_clock));
            if (verdict.IsOpen)
            {
                if (!wasOpen)
                    _log.LogInformation("Lease {Lease:x} renewed again: exclusive instances may run", record!.LeaseId);
                wasOpen = true;
                await Task.Delay(Min(verdict.OpenFor + TimeSpan.FromMilliseconds(1), OpenTickMax), _clock, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (wasOpen)
                _log.LogWarning("Fence closed: {Reason}", verdict.Reason);
            wasOpen = false;
            var left = await StopExclusiveAsync(record, cancellationToken).ConfigureAwait(false);
            if (left == 0 && AgentGone(record) && AgentGone(_files.Read() ?? record))
            {
                _log.LogInformation("The agent is gone and no exclusive instance runs here: nothing left to guard, exiting");
                return;
            }

            await Task.Delay(ClosedTick, _clock, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Stops every running container of an exclusive manifest on this host; returns how many may still run (-1: Docker failed).</summary>
    private async Task<int> StopExclusiveAsync(FenceRecord? record, CancellationToken cancellationToken)
    {
        if (record is null || record.Exclusive.Count == 0)
            return 0;
        var exclusive = record.Exclusive.ToHashSet(StringComparer.Ordinal);
        var left = 0;
        try
        {
            var local = await LocalContainers.ReadAsync(_docker, record.HostId, cancellationToken).ConfigureAwait(false);
            foreach (var id in local.Instances.Where(i => exclusive.Contains(i.Manifest.ToString())))
            {
                foreach (var container in local.Of(id).Where(c => c.State == "running"))
                {
                    try
                    {
                        _log.LogWarning("Stopping exclusive {Instance} ({Container}) before another host can start it", id, container.Name.TrimStart('/'));
                        MarkStopped(container.Id);
                        await _docker.StopContainerAsync(container.Id, FenceRule.StopGrace, cancellationToken).ConfigureAwait(false);
                    }
                    catch (DockerException e)
                    {
                        left++;
                        _log.LogWarning("Cannot stop {Instance}: {Error}", id, e.Message);
                    }
                }
            }
        }
        catch (DockerException e)
        {
            _log.LogWarning("Cannot list this host's containers: {Error}", e.Message);
            return -1;
        }

        return left;
    }

    /// <summary>The marker only spares the agent a restart count: failing to write it must not delay the stop.</summary>
    private void MarkStopped(string containerId)
    {
        try
        {
            _files.MarkStopped(containerId);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _log.LogWarning("Cannot record the stop of {Container} for the agent: {Error}", containerId, e.Message);
        }
    }

    private bool AgentGone(FenceRecord? record) => record is null || record.AgentStopped || !_processAlive(record.AgentPid);

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
