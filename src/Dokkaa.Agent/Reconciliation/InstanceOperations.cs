using System.Globalization;
using Dokkaa.Agent.Ambassador;
using Dokkaa.Agent.Containers;
using Dokkaa.Agent.Docker;
using Dokkaa.Agent.Membership;
using Dokkaa.Core.Cluster;
using Dokkaa.Core.Manifests;
using Microsoft.Extensions.Logging;

namespace Dokkaa.Agent.Reconciliation;

/// <summary>
/// The work the reconciler hands out for one instance at a time: start, restart, replace, stop. Each
/// operation ends by writing what it achieved (or the error) into the claim, which is where status,
/// DNS and the ambassadors on every host read it.
/// </summary>
public sealed class InstanceOperations
{
    private const string NextSuffix = "---next";
    private readonly ReconcilerOptions _options;
    private readonly IDockerClient _docker;
    private readonly ClaimStore _claims;
    private readonly HostMembership _membership;
    private readonly AmbassadorServer? _ambassador;
    private readonly RestartBackoff _backoff;
    private readonly ILogger _log;
    private readonly TimeProvider _clock;
    private readonly IReadOnlyList<string> _containerDns;
    private readonly ExclusiveFence? _fence;

    public InstanceOperations(ReconcilerOptions options, IDockerClient docker, ClaimStore claims, HostMembership membership, AmbassadorServer? ambassador, RestartBackoff backoff, ILogger log, TimeProvider clock, IReadOnlyList<string>? containerDns = null, ExclusiveFence? fence = null)
    {
        _fence = fence;
        _containerDns = containerDns ?? Array.Empty<string>();
        _options = options;
        _docker = docker;
        _claims = claims;
        _membership = membership;
        _ambassador = ambassador;
        _backoff = backoff;
        _log = log;
        _clock = clock;
    }

    /// <summary>Claims an unclaimed instance; when a local container already serves it (agent restart), adopts that container without touching it.</summary>
    public async Task ClaimAsync(InstanceId id, Manifest manifest, string hash, ContainerSummary? existing, CancellationToken cancellationToken)
    {
        var record = NewRecord(hash, InstanceState.Starting);
        var details = existing is null ? null : await _docker.InspectContainerAsync(existing.Id, cancellationToken).ConfigureAwait(false);
        if (details is { Running: true } && !await ReopenLinksAsync(id, manifest, details, cancellationToken).ConfigureAwait(false))
        {
            // Its links lead nowhere now: claimed afresh, it gets a new container with the ports that are open.
            await RemoveQuietlyAsync(details.Id, cancellationToken).ConfigureAwait(false);
            details = null;
            existing = null;
        }

        if (details is not null)
            record = RecordFor(details, details.Labels.GetValueOrDefault(ContainerNames.ManifestHashLabel) ?? "", details.Running ? InstanceState.Running : InstanceState.Starting, null);

        if (await _claims.TryClaimAsync(id, record, _membership.LeaseId, cancellationToken).ConfigureAwait(false))
            _log.LogInformation(existing is null ? "Claimed {Instance}" : "Claimed {Instance}, adopting its running container", id);
    }

    /// <summary>
    /// Brings an owned instance to "running the current manifest" one step at a time: re-attaches the claim to the
    /// current lease, inspects the container, and performs the step <see cref="InstanceDecider"/> chooses.
    /// </summary>
    public async Task EnsureAsync(InstanceClaim claim, Manifest manifest, string hash, ContainerSummary? container, ClusterState state, CancellationToken cancellationToken)
    {
        var id = claim.Id;
        if (claim.Lease != _membership.LeaseId && !await ReattachAsync(claim, cancellationToken).ConfigureAwait(false))
            return;

        var now = _clock.GetUtcNow();
        ContainerDetails? details = null;
        if (container is not null)
        {
            details = await _docker.InspectContainerAsync(container.Id, cancellationToken).ConfigureAwait(false);
            if (details is null)
                return; // Gone between list and inspect: the next pass starts a new one.
        }

        var facts = new InstanceFacts(claim, hash, details, null, details is { Running: false } && _fence?.WasStopped(details.Id) == true,
            _backoff.Get(id), now, _membership.HostId, _options.HostIp);
        var decision = InstanceDecider.Decide(facts);
        if (decision.Step == InstanceStep.CheckLinks)
            decision = InstanceDecider.Decide(facts with { LinksIntact = await ReopenLinksAsync(id, manifest, details!, cancellationToken).ConfigureAwait(false) });
        if (decision.Forgive)
            _backoff.Forgive(id);
        await PerformAsync(decision, claim, manifest, hash, details, state, now, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Moves a claim of ours from an earlier life of this agent (or an earlier lease) to the current lease. False when it
    /// is no longer ours: the old lease expired and another host claimed the instance meanwhile (a partition longer than
    /// the TTL) before our view caught up. Then nothing may be touched: restarting our (maybe fenced) copy would run the
    /// instance twice; the next pass, on the newer view, removes our copy.
    /// </summary>
    private async Task<bool> ReattachAsync(InstanceClaim claim, CancellationToken cancellationToken)
    {
        if (!await _claims.UpdateAsync(claim, claim.Record with { UpdatedAt = _clock.GetUtcNow() }, _membership.LeaseId, cancellationToken).ConfigureAwait(false))
        {
            _log.LogInformation("Claim {Instance} is no longer ours; leaving its container to the next pass", claim.Id);
            return false;
        }

        _log.LogInformation("Re-attached claim {Instance} to lease {Lease:x}", claim.Id, _membership.LeaseId);
        return true;
    }

    private async Task PerformAsync(InstanceDecision decision, InstanceClaim claim, Manifest manifest, string hash, ContainerDetails? details, ClusterState state, DateTimeOffset now, CancellationToken cancellationToken)
    {
        switch (decision.Step)
        {
            case InstanceStep.Start:
                await StartNewAsync(claim, manifest, hash, cancellationToken).ConfigureAwait(false);
                break;
            case InstanceStep.Recreate:
                await RemoveQuietlyAsync(details!.Id, cancellationToken).ConfigureAwait(false);
                await StartNewAsync(claim, manifest, hash, cancellationToken).ConfigureAwait(false);
                break;
            case InstanceStep.Remove:
                await RemoveQuietlyAsync(details!.Id, cancellationToken).ConfigureAwait(false);
                break;
            case InstanceStep.Replace:
                await ReplaceAsync(claim, manifest, hash, details!, state, cancellationToken).ConfigureAwait(false);
                break;
            case InstanceStep.RestartFenced:
                await RestartFencedAsync(claim, hash, details!, cancellationToken).ConfigureAwait(false);
                break;
            case InstanceStep.Restart:
                await RestartAsync(claim, hash, details!, decision.Error!, now, cancellationToken).ConfigureAwait(false);
                break;
            case InstanceStep.Report:
                await WriteAsync(claim, decision.Report!, cancellationToken).ConfigureAwait(false);
                break;
        }
    }

    private async Task RestartFencedAsync(InstanceClaim claim, string hash, ContainerDetails details, CancellationToken cancellationToken)
    {
        _fence?.TakeStopped(details.Id);
        _log.LogInformation("{Instance}: starting {Container} again, stopped by the fence while the lease was unconfirmed", claim.Id, details.Name.TrimStart('/'));
        await _docker.StartContainerAsync(details.Id, cancellationToken).ConfigureAwait(false);
        var restarted = await _docker.InspectContainerAsync(details.Id, cancellationToken).ConfigureAwait(false) ?? details;
        await WriteAsync(claim, RecordFor(restarted, hash, restarted.Running ? InstanceState.Running : InstanceState.Failed, null) with { Restarts = claim.Record.Restarts }, cancellationToken).ConfigureAwait(false);
    }

    private async Task RestartAsync(InstanceClaim claim, string hash, ContainerDetails details, string error, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var id = claim.Id;
        _backoff.Fail(id, error, now);
        var restarts = claim.Record.Restarts + 1;
        _log.LogWarning("{Instance}: {Error}; restarting (restart {Count})", id, error, restarts);
        try
        {
            await _docker.StartContainerAsync(details.Id, cancellationToken).ConfigureAwait(false);
            var started = await _docker.InspectContainerAsync(details.Id, cancellationToken).ConfigureAwait(false) ?? details;
            await WriteAsync(claim, RecordFor(started, hash, started.Running ? InstanceState.Running : InstanceState.Failed, $"{error} (restarted {restarts} times)") with { Restarts = restarts }, cancellationToken).ConfigureAwait(false);
        }
        catch (DockerException e) when (e is not DockerUnavailableException)
        {
            // A container Docker will not start again (seen after a daemon restart: "task already exists",
            // stale network endpoints) is replaced by a fresh one on the next attempt.
            _log.LogWarning("{Instance}: could not restart {Container} ({Error}); it will be recreated", id, details.Name.TrimStart('/'), e.Message);
            await RemoveQuietlyAsync(details.Id, cancellationToken).ConfigureAwait(false);
            await WriteAsync(claim, claim.Record with { State = InstanceState.Failed, Error = $"{error}; restart failed: {e.Message}", Restarts = restarts, UpdatedAt = now }, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Stops and removes every local container of an instance and deletes its claim (scale down, manifest deleted, or a copy owned elsewhere when <paramref name="claim"/> is null).</summary>
    public async Task StopAsync(InstanceId id, InstanceClaim? claim, IReadOnlyList<ContainerSummary> containers, CancellationToken cancellationToken)
    {
        foreach (var container in containers)
        {
            _log.LogInformation("Stopping {Container} ({Instance})", container.Name.TrimStart('/'), id);
            await _docker.StopContainerAsync(container.Id, _options.StopTimeout, cancellationToken).ConfigureAwait(false);
            await _docker.RemoveContainerAsync(container.Id, cancellationToken).ConfigureAwait(false);
        }

        _backoff.Forgive(id);
        if (claim is not null)
            await _claims.ReleaseAsync(claim, cancellationToken).ConfigureAwait(false);
    }

    private async Task StartNewAsync(InstanceClaim claim, Manifest manifest, string hash, CancellationToken cancellationToken)
    {
        var id = claim.Id;
        try
        {
            var details = await CreateAndStartAsync(id, manifest, hash, id.ContainerName, cancellationToken).ConfigureAwait(false);
            var state = details.Running ? InstanceState.Running : InstanceState.Failed;
            await WriteAsync(claim, RecordFor(details, hash, state, _backoff.Get(id)?.Error) with { Restarts = claim.Record.Restarts }, cancellationToken).ConfigureAwait(false);
            _log.LogInformation("Started {Container} ({Instance}, manifest {Hash})", id.ContainerName, id, hash);
        }
        catch (Exception e) when (FailsTheInstance(e))
        {
            var entry = _backoff.Fail(id, e.Message, _clock.GetUtcNow());
            _log.LogWarning("{Instance}: {Error}; next attempt in {Delay:0.#}s", id, e.Message, (entry.NextAttempt - _clock.GetUtcNow()).TotalSeconds);
            await WriteAsync(claim, claim.Record with { State = InstanceState.Failed, ManifestHash = hash, Error = e.Message, UpdatedAt = _clock.GetUtcNow() }, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Rolling replace of one running instance: the new container starts beside the old one, must stay up
    /// for the stability window, then takes over the claim; only then is the old one stopped. A lock per
    /// manifest makes this one instance at a time across the cluster; a failed replacement keeps the old
    /// container serving and leaves the lock marked failed, which stops the rollout everywhere.
    /// </summary>
    private async Task ReplaceAsync(InstanceClaim claim, Manifest manifest, string hash, ContainerDetails old, ClusterState state, CancellationToken cancellationToken)
    {
        var id = claim.Id;
        var manifestId = id.Manifest;
        long staleRevision = 0;
        if (state.Rollouts.TryGetValue(manifestId, out var rollout))
        {
            var mine = rollout.Record.Host == _membership.HostId && rollout.Record.Instance == id.Instance && rollout.Record.ManifestHash == hash;
            if (rollout.Record.ManifestHash == hash && rollout.Record.Failed)
                return; // This version failed to start somewhere: stop the rollout here.
            if (rollout.Record.ManifestHash == hash && !mine)
                return; // Another instance is being replaced right now.
            staleRevision = rollout.ModRevision; // A lock for an older version (or our own, after a crash): take it over.
        }

        // Never fewer than scale-1 serving: every other instance must serve before we take this one.
        if (ServingInstances.Of(state, manifestId, manifest).Count(c => c.Id.Instance != id.Instance) < manifest.Scale - 1)
            return;

        var lockRecord = new RolloutRecord { Host = _membership.HostId, Instance = id.Instance, ManifestHash = hash };
        if (await _claims.TryLockRolloutAsync(manifestId, lockRecord, _membership.LeaseId, staleRevision, cancellationToken).ConfigureAwait(false) is null)
            return;

        var nextName = id.ContainerName + NextSuffix;
        _log.LogInformation("Rolling update of {Instance} to manifest {Hash}", id, hash);
        ContainerDetails? next = null;
        try
        {
            next = await CreateAndStartAsync(id, manifest, hash, nextName, cancellationToken).ConfigureAwait(false);
            next = await WaitStableAsync(next, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (FailsTheInstance(e))
        {
            await FailRolloutAsync(claim, lockRecord, next, e.Message, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (!next.Running)
        {
            await FailRolloutAsync(claim, lockRecord, next, $"the new container exited with code {next.ExitCode} during the {_options.UpdateStability.TotalSeconds:0.#}s stability window", cancellationToken).ConfigureAwait(false);
            return;
        }

        // Traffic follows the claim: switch it to the new container before the old one stops.
        await WriteAsync(claim, RecordFor(next, hash, InstanceState.Running, null) with { ContainerName = id.ContainerName }, cancellationToken).ConfigureAwait(false);
        await _docker.StopContainerAsync(old.Id, _options.StopTimeout, cancellationToken).ConfigureAwait(false);
        await _docker.RemoveContainerAsync(old.Id, cancellationToken).ConfigureAwait(false);
        await _docker.RenameContainerAsync(next.Id, id.ContainerName, cancellationToken).ConfigureAwait(false);
        await _claims.UnlockRolloutAsync(manifestId, cancellationToken).ConfigureAwait(false);
        _backoff.Forgive(id);
        _log.LogInformation("Replaced {Instance} with manifest {Hash}", id, hash);
    }

    private async Task FailRolloutAsync(InstanceClaim claim, RolloutRecord lockRecord, ContainerDetails? next, string error, CancellationToken cancellationToken)
    {
        var message = $"rolling update to manifest {lockRecord.ManifestHash} failed on instance {claim.Id.Instance}: {error}";
        _log.LogWarning("{Message}; the old container keeps serving", message);
        if (next is not null)
            await RemoveQuietlyAsync(next.Id, cancellationToken).ConfigureAwait(false);
        else
            await RemoveOwnLeftoverAsync(claim.Id, claim.Id.ContainerName + NextSuffix, cancellationToken).ConfigureAwait(false);
        await _claims.MarkRolloutFailedAsync(claim.Id.Manifest, lockRecord with { Error = message }, _membership.LeaseId, cancellationToken).ConfigureAwait(false);
        await WriteAsync(claim, claim.Record with { Error = message, UpdatedAt = _clock.GetUtcNow() }, cancellationToken).ConfigureAwait(false);
    }

    private async Task<ContainerDetails> WaitStableAsync(ContainerDetails started, CancellationToken cancellationToken)
    {
        var deadline = _clock.GetUtcNow() + _options.UpdateStability;
        var current = started;
        while (current.Running && _clock.GetUtcNow() < deadline)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(200), _clock, cancellationToken).ConfigureAwait(false);
            current = await _docker.InspectContainerAsync(started.Id, cancellationToken).ConfigureAwait(false) ?? current with { Running = false };
        }

        return current;
    }

    private async Task<ContainerDetails> CreateAndStartAsync(InstanceId id, Manifest manifest, string hash, string name, CancellationToken cancellationToken)
    {
        // A leftover with the same name (stopped, or from a crashed update) would make create fail with a conflict.
        await RemoveOwnLeftoverAsync(id, name, cancellationToken).ConfigureAwait(false);
        await EnsureImageAsync(manifest.Image, cancellationToken).ConfigureAwait(false);

        // Pinned until the container exists, which is when the release sweep can see it in Docker's list.
        using var pin = new LinkPin();
        var links = new List<LinkBinding>();
        if (_ambassador is not null)
        {
            foreach (var link in manifest.Links)
            {
                var (service, app) = Core.Discovery.ServiceResolver.ParseLink(link, id.App);
                var port = await _ambassador.EnsureListenerAsync(service, app, pin, cancellationToken).ConfigureAwait(false);
                links.Add(new LinkBinding(link, _ambassador.Address.ToString(), port));
            }
        }

        var spec = ContainerSpecFactory.Create(id, manifest, hash, _membership.HostId, links, _options.ContainerDefaults, name) with { Dns = _containerDns };
        var containerId = await _docker.CreateContainerAsync(spec, cancellationToken).ConfigureAwait(false);
        await _docker.StartContainerAsync(containerId, cancellationToken).ConfigureAwait(false);
        return await _docker.InspectContainerAsync(containerId, cancellationToken).ConfigureAwait(false)
               ?? throw new DockerException($"container {name} vanished right after it was started");
    }

    private async Task EnsureImageAsync(string image, CancellationToken cancellationToken)
    {
        if (await _docker.ImageExistsAsync(image, cancellationToken).ConfigureAwait(false))
            return;
        try
        {
            await _docker.PullImageAsync(image, cancellationToken).ConfigureAwait(false);
        }
        catch (DockerException e) when (e is not DockerUnavailableException)
        {
            throw new DockerException($"image {image} is not on host {_membership.HostId} and could not be pulled: {e.Message}", e.StatusCode, e);
        }
    }

    /// <summary>
    /// Opens the ambassador listeners that a running container's links point at. They live in the agent
    /// process, so after an agent restart an adopted container's <c>SERVICE_*_PORT</c> would lead nowhere
    /// until they are open again; the port book in the data directory gives each link its port back.
    /// False when a listener could only get another port than the container was given (the book was lost,
    /// or another process holds the port), or none at all: that container has to be replaced (and a new one
    /// that cannot get its ports either reports why in the claim).
    /// </summary>
    private async Task<bool> ReopenLinksAsync(InstanceId id, Manifest manifest, ContainerDetails container, CancellationToken cancellationToken)
    {
        if (_ambassador is null)
            return true;
        var intact = true;
        foreach (var link in manifest.Links)
        {
            var (service, app) = Core.Discovery.ServiceResolver.ParseLink(link, id.App);
            string port;
            try
            {
                port = (await _ambassador.EnsureListenerAsync(service, app, cancellationToken).ConfigureAwait(false)).ToString(CultureInfo.InvariantCulture);
            }
            catch (AmbassadorPortException e)
            {
                _log.LogWarning("{Instance}: link {Link} cannot listen again ({Error}); replacing the container", id, link, e.Message);
                return false;
            }

            if (container.Env.TryGetValue(LinkEnv.Prefix(link) + "_PORT", out var given) && given != port)
            {
                _log.LogWarning("{Instance}: link {Link} points at ambassador port {Given}, but it listens on {Port} now; replacing the container", id, link, given, port);
                intact = false;
            }
        }

        return intact;
    }

    /// <summary>
    /// Failures that belong to the instance (a bad image, a name taken, no ambassador port for a link): reported in
    /// its claim and retried with backoff. Docker being unreachable is not one: the pass is retried instead.
    /// </summary>
    private static bool FailsTheInstance(Exception e) =>
        e is AmbassadorPortException || (e is DockerException && e is not DockerUnavailableException);

    /// <summary>
    /// Removes the container called <paramref name="name"/> only when it is this host's container of
    /// <paramref name="id"/> (by its labels). A container Dokkaa does not own that has the name (made by
    /// hand, or another agent's on a shared daemon) is never touched: the instance cannot start, and the
    /// claim and the status say why until the name is free.
    /// </summary>
    /// <exception cref="DockerException">The name is taken by a container that is not this host's copy of the instance.</exception>
    private async Task RemoveOwnLeftoverAsync(InstanceId id, string name, CancellationToken cancellationToken)
    {
        var existing = await _docker.InspectContainerAsync(name, cancellationToken).ConfigureAwait(false);
        if (existing is null)
            return;
        var owned = ContainerSpecFactory.InstanceOf(existing.Labels) == id
                    && existing.Labels.GetValueOrDefault(ContainerNames.HostLabel) == _membership.HostId;
        if (!owned)
        {
            throw new DockerException(
                $"name {name} is in use by a container Dokkaa does not own ({existing.Id[..Math.Min(12, existing.Id.Length)]}, image {existing.Image}); it is left alone: rename or remove it and the instance starts", 409);
        }

        await _docker.RemoveContainerAsync(existing.Id, cancellationToken).ConfigureAwait(false);
    }

    private async Task RemoveQuietlyAsync(string idOrName, CancellationToken cancellationToken)
    {
        var existing = await _docker.InspectContainerAsync(idOrName, cancellationToken).ConfigureAwait(false);
        if (existing is not null)
            await _docker.RemoveContainerAsync(existing.Id, cancellationToken).ConfigureAwait(false);
    }

    private async Task WriteAsync(InstanceClaim claim, InstanceRecord record, CancellationToken cancellationToken)
    {
        if (!await _claims.UpdateAsync(claim, record with { UpdatedAt = _clock.GetUtcNow() }, _membership.LeaseId, cancellationToken).ConfigureAwait(false))
            _log.LogWarning("Claim {Instance} changed owner while we worked on it; the next pass sorts it out", claim.Id);
    }

    private InstanceRecord NewRecord(string hash, InstanceState state) =>
        ClaimRecords.New(_membership.HostId, _options.HostIp, hash, state, _clock.GetUtcNow());

    private InstanceRecord RecordFor(ContainerDetails details, string hash, InstanceState state, string? error) =>
        ClaimRecords.For(details, _membership.HostId, _options.HostIp, hash, state, error, _clock.GetUtcNow());
}
