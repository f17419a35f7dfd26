using Dokkaa.Core.Cluster;
using Dokkaa.Core.Operations;
using Dokkaa.Core.Placement;

namespace Dokkaa.PowerShell;

/// <summary>
/// A host about to be drained by Suspend-DokkaaHost: the instances that will move off it (in the order the
/// drain moves them) and those no other host can take now. ShouldProcess shows <see cref="Action"/> on
/// <see cref="Target"/>, so <c>-WhatIf</c> says what would move before anything is marked or moved.
/// </summary>
public sealed record HostDrainPlan(string Host, IReadOnlyList<InstanceMove> Moves, IReadOnlyList<InstanceId> Unmovable, bool AlreadyDrained)
{
    /// <summary>How many instances the action names before it says "and N more".</summary>
    internal const int Listed = 10;

    public string Target => Host;

    public string Action
    {
        get
        {
            var take = AlreadyDrained ? "already takes no new instances" : "take no new instances";
            var move = Moves.Count == 0
                ? "it runs no instance"
                : $"move its {Moves.Count} instance(s) off it, one at a time: {HostMoves.List(Moves.Select(m => m.Id))}";
            var stuck = Unmovable.Count == 0
                ? ""
                : $"; no other host can take {HostMoves.List(Unmovable)} now (labels, capacity, draining), which would stop the drain there";
            return $"Drain host: {take}; {move}{stuck}";
        }
    }
}

/// <summary>A host about to take new instances again (Resume-DokkaaHost).</summary>
public sealed record HostResumePlan(string Host, bool IsLive, bool IsDrained)
{
    public string Target => Host;

    public string Action => (IsDrained, IsLive) switch
    {
        (true, true) => "Resume host: take new instances again (nothing moves back by itself; Optimize-DokkaaPlacement spreads instances)",
        (true, false) => "Resume host: take new instances again once its agent is back",
        _ => "Resume host: it is not drained, nothing changes",
    };
}

/// <summary>
/// The steps of Suspend-DokkaaHost, Resume-DokkaaHost and Optimize-DokkaaPlacement without PowerShell (plan,
/// then execute after ShouldProcess), so they can be tested against etcd. Executing calls the Core
/// operations the CLI's drain, undrain and rebalance call.
/// </summary>
public static class HostMoves
{
    /// <summary>Reads the cluster once and lists what a drain of <paramref name="host"/> would move; writes nothing.</summary>
    /// <exception cref="DokkaaException"><see cref="DokkaaErrorKind.HostNotFound"/> when no live host has that name.</exception>
    public static async Task<HostDrainPlan> PlanDrainAsync(ClusterOperations operations, string host, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operations);
        ArgumentNullException.ThrowIfNull(host);
        var state = await operations.LoadStateAsync(cancellationToken).ConfigureAwait(false);
        if (!state.Hosts.ContainsKey(host))
            throw new DokkaaException(DokkaaErrorKind.HostNotFound, $"No live host {host}; live hosts: {Names(state.Hosts.Keys)}.");

        // The same order and the same test as the drain itself (ClusterOperations.DrainAsync, MoveAsync).
        var moves = new List<InstanceMove>();
        var unmovable = new List<InstanceId>();
        foreach (var claim in state.Instances.Values.Where(c => c.Record.Host == host))
        {
            moves.Add(new InstanceMove(claim.Id, host));
            var manifest = state.Manifests.TryGetValue(claim.Id.Manifest, out var entry) ? entry.Effective : null;
            if (manifest is null || !HostFit.AnyHostTakes(state, manifest, except: host))
                unmovable.Add(claim.Id);
        }

        return new HostDrainPlan(host, moves, unmovable, state.Drains.Contains(host));
    }

    /// <summary>Marks the host drained and moves its instances away, one at a time; returns the moves made.</summary>
    public static Task<IReadOnlyList<InstanceMove>> ExecuteAsync(ClusterOperations operations, HostDrainPlan plan, TimeSpan timeoutPerMove, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operations);
        ArgumentNullException.ThrowIfNull(plan);
        return operations.DrainAsync(plan.Host, timeoutPerMove, progress, cancellationToken);
    }

    /// <summary>
    /// Whether the host is live and drained. A drained host whose agent is stopped for maintenance is not
    /// live but can be resumed; a name that is neither is <see cref="DokkaaErrorKind.HostNotFound"/>.
    /// </summary>
    public static async Task<HostResumePlan> PlanResumeAsync(ClusterOperations operations, string host, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operations);
        ArgumentNullException.ThrowIfNull(host);
        var state = await operations.LoadStateAsync(cancellationToken).ConfigureAwait(false);
        var plan = new HostResumePlan(host, state.Hosts.ContainsKey(host), state.Drains.Contains(host));
        if (!plan.IsLive && !plan.IsDrained)
            throw new DokkaaException(DokkaaErrorKind.HostNotFound, $"No live or drained host {host}; live hosts: {Names(state.Hosts.Keys)}; drained: {Names(state.Drains)}.");
        return plan;
    }

    public static Task ExecuteAsync(ClusterOperations operations, HostResumePlan plan, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operations);
        ArgumentNullException.ThrowIfNull(plan);
        return operations.UndrainAsync(plan.Host, cancellationToken);
    }

    /// <summary>The live host of exactly that name (host names are not patterns here), or null.</summary>
    public static async Task<HostInfo?> GetHostAsync(ClusterOperations operations, string host, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operations);
        return (await operations.GetHostsAsync(host, cancellationToken).ConfigureAwait(false)).FirstOrDefault(h => h.Name == host);
    }

    /// <summary>The fewest moves that restore the spread (what Optimize-DokkaaPlacement makes, and -WhatIf lists); writes nothing.</summary>
    public static Task<IReadOnlyList<InstanceMove>> PlanRebalanceAsync(ClusterOperations operations, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operations);
        return operations.PlanRebalanceAsync(cancellationToken);
    }

    /// <summary>ShouldProcess target of one move: the instance.</summary>
    public static string Target(InstanceMove move)
    {
        ArgumentNullException.ThrowIfNull(move);
        return move.Id.ToString();
    }

    /// <summary>ShouldProcess action of one move; placement decides where the instance lands.</summary>
    public static string Action(InstanceMove move)
    {
        ArgumentNullException.ThrowIfNull(move);
        return $"Rebalance: move instance off {move.FromHost}";
    }

    /// <summary>A plan in one line, for -Verbose: <c>shop/web/4 off h1, shop/web/3 off h1</c>.</summary>
    public static string Describe(IEnumerable<InstanceMove> moves)
    {
        ArgumentNullException.ThrowIfNull(moves);
        return string.Join(", ", moves.Select(m => $"{m.Id} off {m.FromHost}"));
    }

    /// <summary>Makes one move: asks the owner to release the instance and waits until another host runs it; returns the move.</summary>
    public static async Task<InstanceMove> ExecuteAsync(ClusterOperations operations, InstanceMove move, TimeSpan timeout, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operations);
        ArgumentNullException.ThrowIfNull(move);
        await operations.MoveAsync(move, timeout, progress, cancellationToken).ConfigureAwait(false);
        return move;
    }

    internal static string List(IEnumerable<InstanceId> ids)
    {
        var all = ids.Select(i => i.ToString()).ToList();
        return all.Count <= HostDrainPlan.Listed
            ? string.Join(", ", all)
            : $"{string.Join(", ", all.Take(HostDrainPlan.Listed))} and {all.Count - HostDrainPlan.Listed} more";
    }

    private static string Names(IEnumerable<string> names)
    {
        var list = string.Join(", ", names);
        return list.Length == 0 ? "none" : list;
    }
}

/// <summary>
/// What Suspend-DokkaaHost and Optimize-DokkaaPlacement show in their progress bar. The Core operations
/// report lines such as <c>shop/web/2: moving off h1</c>; a line about the i-th planned move puts the bar
/// at i of n moves done.
/// </summary>
public sealed class MoveProgress
{
    private readonly IReadOnlyList<InstanceMove> _moves;

    public MoveProgress(string activity, IReadOnlyList<InstanceMove> moves)
    {
        ArgumentNullException.ThrowIfNull(activity);
        ArgumentNullException.ThrowIfNull(moves);
        Activity = activity;
        _moves = moves;
    }

    public static string DrainActivity(string host) => $"Draining host {host}";

    public const string RebalanceActivity = "Rebalancing placement";

    public string Activity { get; }

    /// <summary>The last line reported (never empty: PowerShell refuses an empty progress status).</summary>
    public string Status { get; private set; } = "Starting";

    /// <summary>0-100.</summary>
    public int Percent { get; private set; }

    /// <summary><c>move 2 of 5</c>, once a line named a planned move.</summary>
    public string? CurrentOperation { get; private set; }

    /// <summary>How many lines were reported. A drain reports only after it has marked the host drained.</summary>
    public int Reports { get; private set; }

    public void Report(string message)
    {
        if (string.IsNullOrWhiteSpace(message))
            return;
        Reports++;
        Status = message;
        for (var i = 0; i < _moves.Count; i++)
        {
            if (message.StartsWith(_moves[i].Id + ":", StringComparison.Ordinal))
            {
                Percent = i * 100 / _moves.Count;
                CurrentOperation = $"move {i + 1} of {_moves.Count}";
                return;
            }
        }
    }
}
