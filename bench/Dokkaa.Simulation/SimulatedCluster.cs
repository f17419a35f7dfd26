using System.Diagnostics;
using System.Globalization;
using Dokkaa.Agent.Membership;
using Dokkaa.Agent.Reconciliation;
using Dokkaa.Core.Cluster;
using Dokkaa.Core.Placement;
using Dokkaa.Testing.Etcd;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dokkaa.Simulation;

/// <summary>A simulated host: the agent's real membership code over the shared in-memory store.</summary>
public sealed record SimHost(string HostId, string Address, HostMembership Membership);

/// <summary>What one convergence (initial placement, or re-placement after failures) cost.</summary>
public sealed record ConvergenceResult(
    TimeSpan Wall,
    TimeSpan Planning,
    int Rounds,
    int Claims,
    int LostClaims,
    int Updates,
    int StatusWrites,
    InMemoryEtcdCounters Store,
    long WatchEvents);

/// <summary>
/// N hosts and M manifests over one <see cref="InMemoryEtcd"/>, converged by the agents' real code:
/// <see cref="PlacementPlanner"/> ranks the hosts for every unclaimed instance exactly as each agent's
/// reconcile pass does, the first-ranked host claims it with <see cref="ClaimStore.TryClaimAsync"/> (the
/// create-if-absent transaction under its lease), and on its next pass reports it Running with
/// <see cref="ClaimStore.UpdateAsync"/>; the status writer of each manifest writes the status change the agent's pass
/// decides (<see cref="PassPlanner.StatusChanges"/>) with <see cref="ClaimStore.WriteStatusAsync"/>.
/// </summary>
/// <remarks>
/// Every simulated agent would compute the same plan from the same snapshot, so it is computed once per
/// round: that is the wall time of a round on a real cluster, where each agent plans on its own CPU. All
/// agents read one <see cref="ClusterView"/> that follows the store's watch; on a real cluster each of the N
/// agents receives and applies every one of those watch events. Container starts take no time here (the
/// dockerd side is what bench/convergence.sh measures).
/// </remarks>
public sealed class SimulatedCluster : IAsyncDisposable
{
    private static readonly int[] ScalePattern = [1, 5, 20, 50, 100, 224, 300]; // mean 100

    private readonly SimulationOptions _options;
    private readonly InMemoryEtcd _etcd;
    private readonly ClaimStore _claims;
    private readonly ClusterView _view;
    private readonly CancellationTokenSource _stop = new();
    private readonly Dictionary<string, SimHost> _hosts = new(StringComparer.Ordinal);
    private Task? _follow;
    private long _events;
    private long _barriers;

    public SimulatedCluster(SimulationOptions options)
    {
        _options = options;
        var mean = options.Latency.TotalMilliseconds;
        _etcd = new InMemoryEtcd(new InMemoryEtcdOptions
        {
            Latency = mean <= 0 ? null : () => TimeSpan.FromMilliseconds(mean * (0.5 + Random.Shared.NextDouble())),
            HistoryLimit = 200_000,
        });
        _claims = new ClaimStore(_etcd);
        _view = new ClusterView(_etcd);
        _view.Changed += _ => Interlocked.Increment(ref _events);
    }

    public InMemoryEtcd Store => _etcd;

    public ClusterState State => _view.Current;

    public IReadOnlyCollection<SimHost> Hosts => _hosts.Values;

    /// <summary>Registers the hosts (lease grant and host key, through <see cref="HostMembership.RegisterAsync"/>) and starts the view.</summary>
    public async Task<TimeSpan> RegisterHostsAsync(int count)
    {
        var started = Stopwatch.StartNew();
        var hosts = Enumerable.Range(1, count).Select(i =>
        {
            var id = $"h{i:D5}";
            var address = $"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}";
            // The simulation runs for minutes of wall time and sends no keep-alives: a one-hour lease stands in for a
            // lease that is kept alive (its keep-alive traffic is computed, not simulated).
            var membership = new HostMembership(_etcd, id, TimeSpan.FromHours(1),
                () => new HostRecord { Address = address, AgentVersion = "simulation", StartedAt = DateTimeOffset.UtcNow },
                NullLogger.Instance);
            return new SimHost(id, address, membership);
        }).ToList();
        await Parallel.ForEachAsync(hosts, new ParallelOptions { MaxDegreeOfParallelism = _options.MaxInFlight },
            async (host, ct) => await host.Membership.RegisterAsync(ct).ConfigureAwait(false)).ConfigureAwait(false);
        foreach (var host in hosts)
            _hosts[host.HostId] = host;

        await _view.LoadAsync(_stop.Token).ConfigureAwait(false);
        _follow = Task.Run(() => _view.FollowAsync(_stop.Token));
        return started.Elapsed;
    }

    /// <summary>Writes manifests (scales 1..300, mean 100) until they add up to <paramref name="instances"/>; returns how many manifests.</summary>
    public async Task<int> WriteManifestsAsync(int instances)
    {
        var manifests = new List<(string Key, string Json)>();
        var total = 0;
        for (var m = 0; total < instances; m++)
        {
            var scale = Math.Min(ScalePattern[m % ScalePattern.Length], instances - total);
            total += scale;
            var key = KeyLayout.Manifest($"app{m / 10:D4}", $"svc{m % 10}");
            manifests.Add((key, $$"""{"image":"sim/web:1","scale":{{scale}},"services":{"web":80},"command":["sleep","3600"]}"""));
        }

        await Parallel.ForEachAsync(manifests, new ParallelOptions { MaxDegreeOfParallelism = _options.MaxInFlight },
            async (m, ct) => await _etcd.PutAsync(m.Key, m.Json, cancellationToken: ct).ConfigureAwait(false)).ConfigureAwait(false);
        await CatchUpAsync().ConfigureAwait(false);
        return manifests.Count;
    }

    /// <summary>Rounds of "every agent plans on the snapshot, the chosen hosts claim, owners report Running, status writers write" until nothing is left to do.</summary>
    public async Task<ConvergenceResult> ConvergeAsync()
    {
        _etcd.ResetCounters();
        var barriers0 = Interlocked.Read(ref _barriers);
        var events0 = Interlocked.Read(ref _events);
        var wall = Stopwatch.StartNew();
        var planning = TimeSpan.Zero;
        int rounds = 0, claims = 0, lost = 0, updates = 0, statusWrites = 0;
        while (true)
        {
            rounds++;
            if (rounds > 100)
                throw new InvalidOperationException("no convergence after 100 rounds");
            await CatchUpAsync().ConfigureAwait(false);
            var state = _view.Current;

            var planned = Stopwatch.StartNew();
            var toClaim = PlanClaims(state);
            var toStart = state.Instances.Values.Where(c => c.Record.State == InstanceState.Starting && _hosts.ContainsKey(c.Record.Host)).ToList();
            var toReport = Statuses(state);
            planning += planned.Elapsed;
            if (toClaim.Count == 0 && toStart.Count == 0 && toReport.Count == 0)
                break;

            var parallel = new ParallelOptions { MaxDegreeOfParallelism = _options.MaxInFlight };
            var lostThisRound = 0;
            await Parallel.ForEachAsync(toClaim, parallel, async (work, ct) =>
            {
                var host = _hosts[work.Host];
                var record = new InstanceRecord
                {
                    Host = host.HostId,
                    Address = host.Address,
                    ManifestHash = work.Hash,
                    State = InstanceState.Starting,
                    UpdatedAt = DateTimeOffset.UtcNow,
                };
                if (!await _claims.TryClaimAsync(work.Id, record, host.Membership.LeaseId, ct).ConfigureAwait(false))
                    Interlocked.Increment(ref lostThisRound);
            }).ConfigureAwait(false);
            await Parallel.ForEachAsync(toStart, parallel, async (claim, ct) =>
            {
                var host = _hosts[claim.Record.Host];
                var record = claim.Record with
                {
                    State = InstanceState.Running,
                    ContainerId = ContainerIdFor(claim.Id),
                    ContainerName = claim.Id.ContainerName,
                    Ports = new Dictionary<string, int> { ["80/tcp"] = 32768 + (claim.Id.Instance % 28000) },
                    UpdatedAt = DateTimeOffset.UtcNow,
                };
                await _claims.UpdateAsync(claim, record, host.Membership.LeaseId, ct).ConfigureAwait(false);
            }).ConfigureAwait(false);
            await Parallel.ForEachAsync(toReport, parallel, async (status, ct) =>
                await _claims.WriteStatusAsync(status.Id, status.Status, status.ModRevision, ct).ConfigureAwait(false)).ConfigureAwait(false);

            claims += toClaim.Count;
            lost += lostThisRound;
            updates += toStart.Count;
            statusWrites += toReport.Count;
        }

        var barriers = Interlocked.Read(ref _barriers) - barriers0;
        var store = _etcd.Counters with { Puts = _etcd.Counters.Puts - barriers };
        return new ConvergenceResult(wall.Elapsed, planning, rounds, claims, lost, updates, statusWrites, store, Interlocked.Read(ref _events) - events0 - barriers);
    }

    /// <summary>Kills every host whose index is a multiple of 1/fraction: their leases go, and with them their host keys and claims (one revision per lease, as when etcd expires it).</summary>
    public async Task<(int Hosts, int Instances)> KillAsync(double fraction)
    {
        var step = (int)Math.Round(1 / fraction);
        var doomed = _hosts.Values.Where((_, i) => i % step == 0).ToList();
        var state = _view.Current;
        var instances = state.Instances.Values.Count(c => doomed.Any(d => d.HostId == c.Record.Host));
        foreach (var host in doomed)
        {
            await _etcd.LeaseRevokeAsync(host.Membership.LeaseId).ConfigureAwait(false);
            _hosts.Remove(host.HostId);
        }

        await CatchUpAsync().ConfigureAwait(false);
        return (doomed.Count, instances);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_follow is not null)
        {
            try
            {
                await _follow.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }

        _etcd.Dispose();
        _stop.Dispose();
    }

    /// <summary>
    /// Waits until the view has applied everything written so far. The view's revision moves on the first event
    /// of a revision, so a revision of many events (a lease expiry deleting a host's claims) can be half applied
    /// when it says it is there: a write of one key after everything else, awaited, is a clean barrier. Those
    /// writes are not counted in the figures.
    /// </summary>
    private async Task CatchUpAsync()
    {
        var revision = await _etcd.PutAsync("/simulation/barrier", "", cancellationToken: _stop.Token).ConfigureAwait(false);
        Interlocked.Increment(ref _barriers);
        await _view.WaitForRevisionAsync(revision, _stop.Token).ConfigureAwait(false);
    }

    /// <summary>What every agent's pass would plan: for each unclaimed instance, the first-ranked host claims it.</summary>
    private static List<(InstanceId Id, string Host, string Hash)> PlanClaims(ClusterState state)
    {
        var work = new List<(InstanceId, string, string)>();
        foreach (var (id, _, plan) in PlacementPlanner.PlanAll(state))
        {
            string? hash = null;
            foreach (var planned in plan)
            {
                if (planned.Best is { } best)
                    work.Add((planned.Id, best, hash ??= state.Manifests[id].Hash!));
            }
        }

        return work;
    }

    /// <summary>The statuses that differ from what is stored, as their writer hosts' passes decide them (every live host's share at once).</summary>
    private static List<(ManifestId Id, StatusRecord Status, long ModRevision)> Statuses(ClusterState state) =>
        PassPlanner.StatusChanges(state, writer => state.Hosts.ContainsKey(writer))
            .Where(c => c.Status is not null)
            .Select(c => (c.Id, c.Status!, c.ModRevision))
            .ToList();

    /// <summary>The container id a simulated host reports for an instance (what its agent's Docker list shows).</summary>
    public static string ContainerIdFor(InstanceId id) =>
        Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(id.Key))).ToLower(CultureInfo.InvariantCulture);
}
