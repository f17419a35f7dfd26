using Dokkaa.Core.Cluster;
using Dokkaa.Core.Placement;

namespace Dokkaa.Core.Operations;

/// <summary>Moving instances between hosts: drain before maintenance, rebalance after a host joined.</summary>
public sealed partial class ClusterOperations
{
    /// <summary>The moves <see cref="RebalanceAsync"/> would make, without making them.</summary>
    public async Task<IReadOnlyList<InstanceMove>> PlanRebalanceAsync(CancellationToken cancellationToken = default) =>
        RebalancePlanner.Plan(await LoadStateAsync(cancellationToken).ConfigureAwait(false));

    /// <summary>Moves the fewest instances needed to restore the spread, one at a time, each waiting until it runs elsewhere.</summary>
    public async Task<IReadOnlyList<InstanceMove>> RebalanceAsync(TimeSpan timeoutPerMove, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        var moves = await PlanRebalanceAsync(cancellationToken).ConfigureAwait(false);
        foreach (var move in moves)
            await MoveAsync(move, timeoutPerMove, progress, cancellationToken).ConfigureAwait(false);
        return moves;
    }

    /// <summary>
    /// Marks a host as draining (it takes nothing new) and moves its instances to other hosts, one at a
    /// time. The mark stays until <see cref="UndrainAsync"/>, so the host stays empty for maintenance.
    /// </summary>
    public async Task<IReadOnlyList<InstanceMove>> DrainAsync(string host, TimeSpan timeoutPerMove, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        var state = await LoadStateAsync(cancellationToken).ConfigureAwait(false);
        if (!state.Hosts.ContainsKey(host))
            throw new DokkaaException(DokkaaErrorKind.HostNotFound, $"No live host {host}; live hosts: {string.Join(", ", state.Hosts.Keys)}.");
        await Call(() => _etcd.PutAsync(KeyLayout.Drain(host), ClusterJson.Serialize(new { requestedAt = DateTimeOffset.UtcNow }), cancellationToken: cancellationToken)).ConfigureAwait(false);
        progress?.Report($"{host}: draining, takes no new instances");

        var moves = state.Instances.Values.Where(c => c.Record.Host == host).Select(c => new InstanceMove(c.Id, host)).ToList();
        foreach (var move in moves)
            await MoveAsync(move, timeoutPerMove, progress, cancellationToken).ConfigureAwait(false);
        return moves;
    }

    /// <summary>Lets a drained host take instances again (nothing moves back by itself; see rebalance).</summary>
    public async Task UndrainAsync(string host, CancellationToken cancellationToken = default) =>
        await Call(() => _etcd.DeleteAsync(KeyLayout.Drain(host), cancellationToken: cancellationToken)).ConfigureAwait(false);

    /// <summary>
    /// Asks the owner of one instance to release it (an evict key naming that host), waits until another
    /// host runs it, then removes the request. If nowhere else can run it, nothing is asked.
    /// </summary>
    public async Task MoveAsync(InstanceMove move, TimeSpan timeout, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        var state = await LoadStateAsync(cancellationToken).ConfigureAwait(false);
        if (state.Claim(move.Id) is not { } claim || claim.Record.Host != move.FromHost)
            return; // Already elsewhere.
        if (!state.Manifests.TryGetValue(move.Id.Manifest, out var entry) || entry.Effective is not { } manifest)
            throw new DokkaaException(DokkaaErrorKind.ManifestNotFound, $"Instance {move.Id} has no valid manifest to place it by.");
        if (!HostFit.AnyHostTakes(state, manifest, except: move.FromHost))
            throw new DokkaaException(DokkaaErrorKind.Conflict, $"Instance {move.Id} cannot move off {move.FromHost}: no other host fits it (labels, capacity, draining). It keeps running where it is.");

        var key = KeyLayout.Evict(move.Id.App, move.Id.Name, move.Id.Instance);
        progress?.Report($"{move.Id}: moving off {move.FromHost}");
        await Call(() => _etcd.PutAsync(key, ClusterJson.Serialize(new EvictRecord { Host = move.FromHost, RequestedAt = DateTimeOffset.UtcNow }), cancellationToken: cancellationToken)).ConfigureAwait(false);
        try
        {
            var deadline = DateTimeOffset.UtcNow + timeout;
            while (true)
            {
                var now = await LoadStateAsync(cancellationToken).ConfigureAwait(false);
                if (now.Claim(move.Id) is { } moved && moved.Record.Host != move.FromHost && moved.Record.State == InstanceState.Running)
                {
                    progress?.Report($"{move.Id}: now on {moved.Record.Host}");
                    return;
                }

                if (DateTimeOffset.UtcNow >= deadline)
                    throw new DokkaaException(DokkaaErrorKind.Timeout, $"Instance {move.Id} did not start elsewhere within {timeout.TotalSeconds:0.#}s of leaving {move.FromHost}.");
                await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            // The request has done its job (or failed); leaving it would keep the host from ever running this instance again.
            await Call(() => _etcd.DeleteAsync(key, cancellationToken: CancellationToken.None)).ConfigureAwait(false);
        }
    }
}
