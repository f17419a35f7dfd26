using System.Collections.Concurrent;
using Dokkaa.Agent.Containers;
using Dokkaa.Agent.Docker;
using Dokkaa.Agent.Fencing;
using Dokkaa.Agent.Membership;
using Dokkaa.Core.Cluster;
using Microsoft.Extensions.Logging;

namespace Dokkaa.Agent.Reconciliation;

/// <summary>
/// At-most-one for <c>"exclusive": true</c> manifests during a partition. When this host has not renewed
/// its lease for half the TTL (<see cref="FenceRule"/>), another host may soon claim its instances, so the exclusive
/// ones are stopped here first. It runs on its own short timer and talks only to Docker: the reconciler may be stuck
/// on an unreachable etcd exactly when this matters. What the agent cannot do once it is dead or paused, the fence
/// process does (<see cref="FenceBeacon"/>): exclusive instances start only while it runs (<see cref="Guarded"/>).
/// </summary>
public sealed class ExclusiveFence
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(100);
    private readonly ConcurrentDictionary<string, bool> _stopped = new(StringComparer.Ordinal);
    private readonly HostMembership _membership;
    private readonly ClusterView _view;
    private readonly IDockerClient _docker;
    private readonly ILogger _log;
    private readonly TimeProvider _clock;
    private readonly FenceBeacon? _beacon;

    public ExclusiveFence(HostMembership membership, ClusterView view, IDockerClient docker, ILogger log, TimeProvider clock, FenceBeacon? beacon = null)
    {
        _beacon = beacon;
        _membership = membership;
        _view = view;
        _docker = docker;
        _log = log;
        _clock = clock;
    }

    /// <summary>True while this host must not run exclusive instances (it may already have lost them).</summary>
    public bool CutOff => !FenceRule.IsOpen(_clock.GetUtcNow() - _membership.LastRenewed, _membership.Ttl);

    /// <summary>Whether the fence process runs, so that an exclusive instance started now stays fenced if this agent dies.</summary>
    public bool Guarded => _beacon?.FenceRunning ?? true;

    /// <summary>
    /// Writes the fence process's lease record for <paramref name="state"/> and starts the process when exclusive
    /// manifests need it. Called by each reconcile pass before it schedules anything, so an exclusive instance is never
    /// started before the record names its manifest.
    /// </summary>
    public void Guard(ClusterState state) => _beacon?.Guard(state);

    /// <summary>Whether a fence (this one or the fence process) stopped this container; <see cref="TakeStopped"/> forgets it.</summary>
    public bool WasStopped(string containerId) =>
        _stopped.ContainsKey(containerId) || (_beacon?.Files.IsStopped(containerId) ?? false);

    /// <summary>
    /// Whether a fence (this one or the fence process) stopped this container (and forgets it): starting it again
    /// once the lease is renewed is the plan, not a crash to count, back off from and report.
    /// </summary>
    public bool TakeStopped(string containerId) =>
        _stopped.TryRemove(containerId, out _) | (_beacon?.Files.TakeStopped(containerId) ?? false);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            if (CutOff)
            {
                try
                {
                    await FenceAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (DockerException e)
                {
                    _log.LogWarning("Cannot fence exclusive instances: {Error}", e.Message);
                }
            }

            await Task.Delay(NextCheck(), _clock, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// While cut off, every tick (a stop may fail, a container may be restarted). Otherwise nothing can change
    /// before the lease goes unrenewed for half the TTL, so the fence sleeps until exactly then (each renewal
    /// moves that moment on): one wake-up per keepalive instead of ten a second, and no polling delay.
    /// </summary>
    private TimeSpan NextCheck()
    {
        if (CutOff)
            return Tick;
        var untilCutOff = _membership.LastRenewed + FenceRule.OpenFor(_membership.Ttl) - _clock.GetUtcNow();
        return untilCutOff > TimeSpan.Zero ? untilCutOff + TimeSpan.FromMilliseconds(1) : Tick;
    }

    /// <summary>Stops this host's running exclusive containers (what each tick does while cut off).</summary>
    internal async Task FenceAsync(CancellationToken cancellationToken)
    {
        var state = _view.Current;
        var local = await LocalContainers.ReadAsync(_docker, _membership.HostId, cancellationToken).ConfigureAwait(false);
        foreach (var id in local.Instances)
        {
            if (!state.Manifests.TryGetValue(id.Manifest, out var entry) || entry.Effective?.Exclusive != true)
                continue;
            foreach (var container in local.Of(id).Where(c => c.State == "running"))
            {
                _log.LogWarning("Lease not renewed for {Age:0.0}s: stopping exclusive {Instance} before another host can start it", (_clock.GetUtcNow() - _membership.LastRenewed).TotalSeconds, id);
                await _docker.StopContainerAsync(container.Id, FenceRule.StopGrace, cancellationToken).ConfigureAwait(false);
                _stopped[container.Id] = true;
            }
        }
    }
}
