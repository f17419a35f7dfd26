using System.Collections.Concurrent;
using Dokkaa.Agent.Ambassador;
using Dokkaa.Agent.Containers;
using Dokkaa.Agent.Docker;
using Dokkaa.Agent.Membership;
using Dokkaa.Core.Cluster;
using Dokkaa.Core.Etcd;
using Dokkaa.Core.Manifests;
using Dokkaa.Core.Threading;
using Microsoft.Extensions.Logging;

namespace Dokkaa.Agent.Reconciliation;

/// <summary>
/// The agent's control loop: compares the cluster view (desired manifests, claims) with this host's
/// containers and hands out one operation per instance. It is level-triggered: every pass reads
/// everything again, so a missed event costs at most one resync interval, never correctness. Operations on
/// different instances run in parallel (bounded); two operations never run on the same instance.
/// </summary>
public sealed class Reconciler
{
    private readonly ReconcilerOptions _options;
    private readonly ClusterView _view;
    private readonly HostMembership _membership;
    private readonly IDockerClient _docker;
    private readonly ClaimStore _claims;
    private readonly InstanceOperations _operations;
    private readonly RestartBackoff _backoff;
    private readonly ExclusiveFence _fence;
    private readonly ILogger _log;
    private readonly TimeProvider _clock;
    private readonly AsyncSignal _wake = new();
    private readonly ConcurrentDictionary<InstanceId, Task> _inFlight = new();
    private readonly SemaphoreSlim _parallel;
    private IReadOnlyDictionary<InstanceId, DateTimeOffset> _unclaimedSince = new Dictionary<InstanceId, DateTimeOffset>();
    private readonly TaskCompletionSource _firstPass = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly AmbassadorServer? _ambassador;

    public Reconciler(ReconcilerOptions options, ClusterView view, HostMembership membership, IDockerClient docker, ClaimStore claims, InstanceOperations operations, RestartBackoff backoff, ExclusiveFence fence, ILogger log, TimeProvider clock, AmbassadorServer? ambassador = null)
    {
        _ambassador = ambassador;
        _fence = fence;
        _options = options;
        _view = view;
        _membership = membership;
        _docker = docker;
        _claims = claims;
        _operations = operations;
        _backoff = backoff;
        _log = log;
        _clock = clock;
        _parallel = new SemaphoreSlim(options.MaxParallelOperations);
    }

    /// <summary>Asks for a pass as soon as possible (cluster or Docker changed).</summary>
    public void Wake() => _wake.Set();

    /// <summary>Completes after the first full pass (useful to tests and to readiness).</summary>
    public Task FirstPass => _firstPass.Task;

    /// <summary>Completes when every operation handed out so far has finished (tests run a pass, then wait for this).</summary>
    internal Task Settled => Task.WhenAll(_inFlight.Values);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var next = _options.ResyncInterval;
            try
            {
                var started = _clock.GetTimestamp();
                next = await PassAsync(cancellationToken).ConfigureAwait(false);
                _firstPass.TrySetResult();
                _log.LogDebug("Reconcile pass took {Elapsed:0.0} ms; next in {Next:0.000} s unless woken", _clock.GetElapsedTime(started).TotalMilliseconds, next.TotalSeconds);
            }
            catch (DockerUnavailableException e)
            {
                _log.LogWarning("Docker is unavailable: {Error}; retrying", e.Message);
                next = TimeSpan.FromSeconds(1);
            }
            catch (Exception e) when (e is DockerException or EtcdException)
            {
                _log.LogWarning("Reconcile pass failed: {Error}", e.Message);
                next = TimeSpan.FromSeconds(1);
            }

            await _wake.WaitAsync(next, cancellationToken).ConfigureAwait(false);
        }

        await Task.WhenAll(_inFlight.Values).ConfigureAwait(false);
    }

    /// <summary>One pass: reads the view and Docker's list, decides (<see cref="PassPlanner"/>), hands out the operations and writes the statuses. Returns how long it may sleep before the next one if nothing wakes it.</summary>
    internal async Task<TimeSpan> PassAsync(CancellationToken cancellationToken)
    {
        var now = _clock.GetUtcNow();
        var state = _view.Current;
        var me = _membership.HostId;
        var linkMark = _ambassador?.Mark() ?? 0; // before the list: see ReleaseUnusedAsync
        var local = await LocalContainers.ReadAsync(_docker, me, cancellationToken).ConfigureAwait(false);

        // Operations queue for a slot, so an exclusive one checks the fence again when it runs (ExclusiveGuard).
        var fence = new FenceState(_fence.CutOff, _membership.LastRenewed, _membership.Ttl);
        _fence.Guard(state);
        var plan = PassPlanner.Plan(new PassInput(state, local, me, _membership.LeaseId, fence, now,
            _inFlight.Keys.ToHashSet(), _unclaimedSince, _backoff, _options));
        _unclaimedSince = plan.UnclaimedSince;
        foreach (var action in plan.Actions)
            Schedule(action.Id, Operation(action), cancellationToken);

        // Ports of links no container here uses any more go back to the range (deleted manifests, moved instances,
        // and at start whatever the port book still holds from containers that are gone).
        if (_ambassador is not null)
            await _ambassador.ReleaseUnusedAsync(LinkPortsInUse.Of(local, state).Uses, linkMark, cancellationToken).ConfigureAwait(false);
        // Also while fenced: a slow etcd still takes them (an unreachable one fails the pass, retried in a second).
        await WriteStatusesAsync(plan.Statuses, cancellationToken).ConfigureAwait(false);

        var wakeAt = plan.WakeAt;
        if (_backoff.NextAttempt(now) is { } retry && retry < wakeAt)
            wakeAt = retry;
        var sleep = wakeAt - _clock.GetUtcNow();
        return sleep > TimeSpan.Zero ? sleep : TimeSpan.FromMilliseconds(10);
    }

    /// <summary>The operation that performs <paramref name="action"/>.</summary>
    private Func<CancellationToken, Task> Operation(PlannedAction action) => action switch
    {
        StopAction stop => ct => _operations.StopAsync(stop.Id, stop.Claim, stop.Containers, ct),
        // The view as it is when the operation runs: a rolling replacement needs the other instances' latest claims.
        EnsureAction ensure => ExclusiveGuard(ensure.Manifest, ct => _operations.EnsureAsync(ensure.Claim, ensure.Manifest, ensure.Hash, ensure.Container, _view.Current, ct), starts: true),
        ClaimAction claim => ExclusiveGuard(claim.Manifest, ct => _operations.ClaimAsync(claim.Id, claim.Manifest, claim.Hash, claim.Existing, ct), starts: false),
        _ => throw new ArgumentOutOfRangeException(nameof(action), action, "no operation performs this action"),
    };

    private async Task WriteStatusesAsync(IReadOnlyList<StatusChange> changes, CancellationToken cancellationToken)
    {
        foreach (var change in changes)
        {
            if (change.Status is null)
            {
                await _claims.DeleteStatusAsync(change.Id, change.ModRevision, cancellationToken).ConfigureAwait(false);
                continue;
            }

            try
            {
                await _claims.WriteStatusAsync(change.Id, change.Status, change.ModRevision, cancellationToken).ConfigureAwait(false);
            }
            catch (EtcdException e) when (!cancellationToken.IsCancellationRequested)
            {
                // One refused status must not keep the statuses after it stale: the next pass tries it again.
                _log.LogWarning("Writing the status of {Manifest} failed: {Error}", change.Id, e.Message);
            }
        }
    }

    /// <summary>
    /// An operation that may start or claim an exclusive instance does nothing if the fence closed while it waited
    /// for a slot (the pass that scheduled it saw the lease fresh, but only the moment it runs counts). One that may
    /// start a container also waits while no fence process runs that would stop it if this agent died; a claim need not
    /// (it runs nothing), so a fence process still starting does not hand the instance to the next host.
    /// </summary>
    private Func<CancellationToken, Task> ExclusiveGuard(Manifest manifest, Func<CancellationToken, Task> operation, bool starts) =>
        manifest.Exclusive ? ct => _fence.CutOff || (starts && !_fence.Guarded) ? Task.CompletedTask : operation(ct) : operation;

    private void Schedule(InstanceId id, Func<CancellationToken, Task> operation, CancellationToken cancellationToken)
    {
        if (_inFlight.ContainsKey(id))
            return;
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_inFlight.TryAdd(id, gate.Task))
            return;
        _ = Task.Run(async () =>
        {
            var entered = false;
            try
            {
                await _parallel.WaitAsync(cancellationToken).ConfigureAwait(false);
                entered = true;
                await operation(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
            }
            catch (Exception e)
            {
                _log.LogWarning("Operation on {Instance} failed: {Error}", id, e.Message);
            }
            finally
            {
                if (entered)
                    _parallel.Release();
                _inFlight.TryRemove(id, out _);
                gate.TrySetResult();
            }
        }, CancellationToken.None);
    }
}
