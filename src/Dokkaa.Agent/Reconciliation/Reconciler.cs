using System.Collections.Concurrent;
using Dokkaa.Agent.Ambassador;
using Dokkaa.Agent.Docker;
using Dokkaa.Agent.Fencing;
using Dokkaa.Agent.Hosting;
using Dokkaa.Agent.Membership;
using Dokkaa.Core.Cluster;
using Dokkaa.Core.Etcd;
using Dokkaa.Core.Manifests;
using Dokkaa.Core.Placement;
using Dokkaa.Core.Status;
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
    private readonly AgentOptions _options;
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
    private readonly Dictionary<InstanceId, DateTimeOffset> _unclaimedSince = new();
    private readonly TaskCompletionSource _firstPass = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly AmbassadorServer? _ambassador;

    /// <summary>How often a fenced agent looks again, to restart its exclusive instances soon after the lease is renewed.</summary>
    private static readonly TimeSpan FencedRecheck = TimeSpan.FromSeconds(1);

    public Reconciler(AgentOptions options, ClusterView view, HostMembership membership, IDockerClient docker, ClaimStore claims, InstanceOperations operations, RestartBackoff backoff, ExclusiveFence fence, ILogger log, TimeProvider clock, AmbassadorServer? ambassador = null)
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

    /// <summary>One pass. Returns how long it may sleep before the next one if nothing wakes it.</summary>
    internal async Task<TimeSpan> PassAsync(CancellationToken cancellationToken)
    {
        var now = _clock.GetUtcNow();
        var state = _view.Current;
        var me = _membership.HostId;
        var linkMark = _ambassador?.Mark() ?? 0; // before the list: see ReleaseUnusedAsync
        var local = await LocalContainers.ReadAsync(_docker, me, cancellationToken).ConfigureAwait(false);
        var wakeAt = now + _options.ResyncInterval;

        // Lease unconfirmed for half the TTL: the fence stops exclusive instances, and nothing may start or claim
        // one until the lease is renewed. Everything else goes on: stopping what a deleted manifest left is always
        // safe, and an etcd that is slow rather than gone still takes the writes (skipping whole passes here left a
        // host whose keepalives answered slowly doing nothing at all, its deleted instances running on).
        // Operations queue for a slot, so an exclusive one checks the fence again when it runs (ExclusiveGuard).
        var cutOff = _fence.CutOff;
        var anyExclusive = state.Manifests.Values.Any(m => m.Effective?.Exclusive == true);
        _fence.Guard(state);
        var exclusiveCheck = cutOff ? now + FencedRecheck : _membership.LastRenewed + FenceRule.OpenFor(_membership.Ttl);
        if (anyExclusive && exclusiveCheck < wakeAt)
            wakeAt = exclusiveCheck;

        foreach (var (manifestId, entry) in state.Manifests)
        {
            var manifest = entry.Effective;
            if (manifest is null)
                continue; // Broken and never seen valid: touch nothing, the status says why.
            var hash = entry.Hash!;

            foreach (var claim in state.ClaimsOf(manifestId))
            {
                if (claim.Record.Host != me)
                    continue;
                var evicted = state.Evictions.TryGetValue(claim.Id, out var evictedFrom) && evictedFrom == me;
                if (claim.Id.Instance > manifest.Scale || evicted)
                    Schedule(claim.Id, ct => _operations.StopAsync(claim.Id, claim, local.Of(claim.Id), ct), cancellationToken);
                else if (cutOff && manifest.Exclusive)
                    continue; // Fenced: it stays stopped until the lease is renewed.
                else if (NeedsWork(claim, local.Primary(claim.Id), hash, now))
                    Schedule(claim.Id, ExclusiveGuard(manifest, ct => _operations.EnsureAsync(claim, manifest, hash, local.Primary(claim.Id), _view.Current, ct), starts: true), cancellationToken);
            }
        }

        var seenUnclaimed = new HashSet<InstanceId>();
        foreach (var (manifestId, manifest, plan) in PlacementPlanner.PlanAll(state))
        {
            if (cutOff && manifest.Exclusive)
            {
                seenUnclaimed.UnionWith(plan.Select(p => p.Id)); // Keeps its place in the claim stagger.
                continue;
            }

            var hash = state.Manifests[manifestId].Hash!;
            foreach (var planned in plan)
            {
                var id = planned.Id;
                seenUnclaimed.Add(id);
                var existing = local.Primary(id);
                if (state.Evictions.TryGetValue(id, out var evictedHost) && evictedHost == me)
                {
                    // Asked to give this one away: never adopt it back; a leftover copy goes.
                    if (local.Of(id).Count > 0)
                        Schedule(id, ct => _operations.StopAsync(id, null, local.Of(id), ct), cancellationToken);
                    continue;
                }

                if (existing is not null)
                {
                    // Adoption: a container of ours already serves it (agent restart, lost lease); claim it at once.
                    Schedule(id, ExclusiveGuard(manifest, ct => _operations.ClaimAsync(id, manifest, hash, existing, ct), starts: false), cancellationToken);
                    continue;
                }

                var seen = _unclaimedSince.TryGetValue(id, out var since);
                if (!seen)
                    since = now;
                var rank = planned.RankOf(me, RanksThatMatter(since, now, wakeAt));
                if (rank < 0)
                    continue;
                if (!seen)
                    _unclaimedSince[id] = since;
                var notBefore = since + _options.ClaimStagger * rank;
                if (notBefore <= now)
                    Schedule(id, ExclusiveGuard(manifest, ct => _operations.ClaimAsync(id, manifest, hash, null, ct), starts: false), cancellationToken);
                else if (notBefore < wakeAt)
                    wakeAt = notBefore;
            }
        }

        foreach (var id in _unclaimedSince.Keys.Where(id => !seenUnclaimed.Contains(id)).ToList())
            _unclaimedSince.Remove(id);

        // Claims of ours whose manifest is gone: stop everything (the seed's delete never did).
        foreach (var claim in state.Instances.Values)
        {
            if (claim.Record.Host == me && !state.Manifests.ContainsKey(claim.Id.Manifest))
                Schedule(claim.Id, ct => _operations.StopAsync(claim.Id, claim, local.Of(claim.Id), ct), cancellationToken);
        }

        CleanUpLocal(state, local, me, cancellationToken);
        // Ports of links no container here uses any more go back to the range (deleted manifests, moved instances,
        // and at start whatever the port book still holds from containers that are gone).
        if (_ambassador is not null)
            await _ambassador.ReleaseUnusedAsync(LinkPortsInUse.Of(local, state).Uses, linkMark, cancellationToken).ConfigureAwait(false);
        // Also while fenced: a slow etcd still takes them (an unreachable one fails the pass, retried in a second).
        await WriteStatusesAsync(state, me, cancellationToken).ConfigureAwait(false);

        if (_backoff.NextAttempt(now) is { } retry && retry < wakeAt)
            wakeAt = retry;
        var sleep = wakeAt - _clock.GetUtcNow();
        return sleep > TimeSpan.Zero ? sleep : TimeSpan.FromMilliseconds(10);
    }

    /// <summary>Containers on this host that no claim of ours explains: stale copies, orphans, leftovers of a crashed update.</summary>
    private void CleanUpLocal(ClusterState state, LocalContainers local, string me, CancellationToken cancellationToken)
    {
        foreach (var id in local.Instances)
        {
            if (_inFlight.ContainsKey(id))
                continue;
            var claim = state.Claim(id);
            var manifestExists = state.Manifests.TryGetValue(id.Manifest, out var entry);
            var containers = local.Of(id);

            if (claim is null)
            {
                // Unclaimed: adopted above if the manifest wants it; otherwise it is an orphan.
                var wanted = manifestExists && (entry!.Effective is null || id.Instance <= entry.Effective.Scale);
                if (!wanted)
                    Schedule(id, ct => _operations.StopAsync(id, null, containers, ct), cancellationToken);
            }
            else if (claim.Record.Host != me)
            {
                // Another host owns it (we were cut off and it took over): our copy goes.
                Schedule(id, ct => _operations.StopAsync(id, null, containers, ct), cancellationToken);
            }
            else
            {
                var extras = containers.Where(c => c.Name.TrimStart('/') != id.ContainerName).ToList();
                if (extras.Count > 0)
                    Schedule(id, ct => _operations.StopAsync(id, null, extras, ct), cancellationToken);
            }
        }
    }

    /// <summary>
    /// Each manifest's status is written by one host (the first by rendezvous hash among live hosts), and
    /// only when it changed, so N agents do not fight over one key.
    /// </summary>
    private async Task WriteStatusesAsync(ClusterState state, string me, CancellationToken cancellationToken)
    {
        foreach (var (id, entry) in state.Manifests)
        {
            if (StatusWriter(state, id) != me)
                continue;
            var status = StatusCalculator.Compute(state, entry);
            state.Statuses.TryGetValue(id, out var current);
            if (current.Record is not null && current.Record.SameAs(status))
                continue;
            try
            {
                await _claims.WriteStatusAsync(id, status, current.Record is null ? 0 : current.ModRevision, cancellationToken).ConfigureAwait(false);
            }
            catch (EtcdException e) when (!cancellationToken.IsCancellationRequested)
            {
                // One refused status must not keep the statuses after it stale: the next pass tries it again.
                _log.LogWarning("Writing the status of {Manifest} failed: {Error}", id, e.Message);
            }
        }

        foreach (var (id, (_, modRevision)) in state.Statuses)
        {
            if (!state.Manifests.ContainsKey(id) && !state.ClaimsOf(id).Any() && StatusWriter(state, id) == me)
                await _claims.DeleteStatusAsync(id, modRevision, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Whether an owned instance needs an operation, judged from the container list alone so that a quiet
    /// cluster costs one Docker list per pass and nothing more.
    /// </summary>
    private bool NeedsWork(InstanceClaim claim, ContainerSummary? container, string hash, DateTimeOffset now)
    {
        if (claim.Lease != _membership.LeaseId)
            return true;
        if (container is null || container.State != "running")
            return _backoff.MayAttempt(claim.Id, now);
        var record = claim.Record;
        return container.Labels.GetValueOrDefault(ContainerNames.ManifestHashLabel) != hash ||
               record.State != InstanceState.Running || record.ContainerId != container.Id ||
               record.ManifestHash != hash || record.Error is not null;
    }

    private static string? StatusWriter(ClusterState state, ManifestId id) => StatusCalculator.Writer(state, id);

    /// <summary>
    /// Ranks from which on this pass would neither claim nor wake up earlier for an instance unclaimed since
    /// <paramref name="since"/>: the rank is only counted that far (at 10,000 hosts, counting every host above
    /// this one cost about 3.6 ms per unclaimed instance and pass).
    /// </summary>
    private int RanksThatMatter(DateTimeOffset since, DateTimeOffset now, DateTimeOffset wakeAt)
    {
        if (_options.ClaimStagger <= TimeSpan.Zero)
            return int.MaxValue;
        var horizon = (wakeAt > now ? wakeAt : now) - since;
        return (int)Math.Min(int.MaxValue - 1, Math.Floor(horizon / _options.ClaimStagger)) + 1;
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
