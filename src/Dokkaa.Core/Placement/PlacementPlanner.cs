using System.Collections;
using System.Text;
using Dokkaa.Core.Cluster;
using Dokkaa.Core.Manifests;

namespace Dokkaa.Core.Placement;

/// <summary>Where one unclaimed instance should go: eligible hosts, best first. Empty: it fits nowhere (pending).</summary>
/// <remarks>
/// From <see cref="PlacementPlanner"/>, <see cref="RankedHosts"/> is built on first use (sorting every host
/// costs O(hosts log hosts) per instance); <see cref="Best"/> and <see cref="RankOf(string, int)"/> answer without it.
/// </remarks>
public sealed record PlannedInstance(InstanceId Id, IReadOnlyList<string> RankedHosts)
{
    internal PlannedInstance(InstanceId id, PlacementPlanner.ManifestPlan plan, int step, string? best)
        : this(id, new PlacementPlanner.LazyRanking(plan, step, best))
    {
    }

    /// <summary>The host that should claim it (<c>RankedHosts[0]</c>), or null when it fits nowhere.</summary>
    public string? Best => RankedHosts is PlacementPlanner.LazyRanking { IsBuilt: false } lazy
        ? lazy.Best
        : RankedHosts.Count > 0 ? RankedHosts[0] : null;

    /// <summary>The position of <paramref name="host"/> in <see cref="RankedHosts"/> (0: best), or -1 when it is not eligible.</summary>
    public int RankOf(string host) => RankOf(host, int.MaxValue);

    /// <summary>
    /// As <see cref="RankOf(string)"/>, but a rank of <paramref name="atMost"/> or more is reported as
    /// <paramref name="atMost"/>: a host far down the ranking learns that without counting everyone above it.
    /// </summary>
    public int RankOf(string host, int atMost)
    {
        if (RankedHosts is PlacementPlanner.LazyRanking { IsBuilt: false } lazy)
            return lazy.RankOf(host, atMost);
        for (var i = 0; i < RankedHosts.Count; i++)
        {
            if (RankedHosts[i] == host)
                return Math.Min(i, atMost);
        }

        return -1;
    }
}

/// <summary>
/// Spread, not greed. Every agent runs this same pure function over the same snapshot and so agrees on
/// the ranking without a scheduler: hosts with the fewest instances of this manifest first, then the least
/// loaded, then a rendezvous hash. Instances are planned in order and each planned instance counts against
/// its best host before the next is ranked, so scale 7 over 3 hosts plans 3/2/2, not 7/0/0.
/// The etcd transaction, not this plan, guarantees a single owner.
/// </summary>
/// <remarks>
/// Cost: O(hosts) per unclaimed instance (one pass for the lowest counts, rendezvous weights only for the
/// hosts tied on them); nothing at all for a manifest whose instances are all claimed. The full ranking of
/// an instance is only built when <see cref="PlannedInstance.RankedHosts"/> is read.
/// </remarks>
public static class PlacementPlanner
{
    public static IReadOnlyList<PlannedInstance> Plan(ClusterState state, ManifestId id, Manifest manifest) =>
        Plan(state, id, manifest, HostUsage.Of(state));

    /// <summary>As above, with the hosts' usage computed once by the caller (it is the same for every manifest of a pass).</summary>
    public static IReadOnlyList<PlannedInstance> Plan(ClusterState state, ManifestId id, Manifest manifest, IReadOnlyDictionary<string, HostUsage> usage)
    {
        var claims = state.ClaimsOf(id);
        var claimed = 0;
        foreach (var claim in claims)
        {
            if (claim.Id.Instance <= manifest.Scale)
                claimed++;
        }

        if (claimed >= manifest.Scale)
            return Array.Empty<PlannedInstance>();

        var plan = new ManifestPlan(state, manifest, usage, claims);
        var planned = new List<PlannedInstance>(manifest.Scale - claimed);
        for (var i = 1; i <= manifest.Scale; i++)
        {
            var instance = new InstanceId(id.App, id.Name, i);
            if (state.Instances.ContainsKey(instance))
                continue;
            var best = plan.Choose(instance);
            planned.Add(new PlannedInstance(instance, plan, plan.Steps - 1, best < 0 ? null : plan.Hosts[best].HostId));
        }

        return planned;
    }

    /// <summary>
    /// One manifest's planning state, in arrays indexed like <see cref="Hosts"/>. The counts move as instances
    /// are planned; each step records the host it chose, so the counts an earlier step saw are the final ones
    /// minus the choices made since (for <see cref="RankOf"/> and the full ranking, once planning is done).
    /// </summary>
    internal sealed class ManifestPlan
    {
        private readonly ClusterState _state;
        private readonly Manifest _manifest;
        private readonly HostRecord[] _records;
        private readonly bool[] _accepts;
        private readonly ulong[] _hostHashes;
        private readonly int[] _perManifest;
        private readonly int[] _instances;
        private readonly int[] _milliCpus;
        private readonly long[] _memoryBytes;
        private readonly List<(InstanceId Instance, int Chosen)> _steps = new();
        private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);

        public ManifestPlan(ClusterState state, Manifest manifest, IReadOnlyDictionary<string, HostUsage> usage, IEnumerable<InstanceClaim> claims)
        {
            _state = state;
            _manifest = manifest;
            Hosts = state.Hosts.Values.Where(h => usage.ContainsKey(h.HostId)).ToArray();
            var count = Hosts.Length;
            _records = new HostRecord[count];
            _accepts = new bool[count];
            _hostHashes = new ulong[count];
            _perManifest = new int[count];
            _instances = new int[count];
            _milliCpus = new int[count];
            _memoryBytes = new long[count];
            for (var h = 0; h < count; h++)
            {
                var host = Hosts[h];
                var u = usage[host.HostId];
                _records[h] = host.Record;
                _accepts[h] = !u.Drained && HostUsage.Accepts(host.Record, manifest);
                _hostHashes[h] = RendezvousHash.Prefix(host.HostId);
                _instances[h] = u.Instances;
                _milliCpus[h] = u.MilliCpus;
                _memoryBytes[h] = u.MemoryBytes;
                _index[host.HostId] = h;
            }

            foreach (var claim in claims)
            {
                if (claim.Id.Instance <= manifest.Scale && _index.TryGetValue(claim.Record.Host, out var h))
                    _perManifest[h]++;
            }
        }

        public HostEntry[] Hosts { get; }

        public int Steps => _steps.Count;

        /// <summary>Plans the next instance: the best eligible host (index), or -1; counts it against that host.</summary>
        public int Choose(InstanceId instance)
        {
            var evicted = Evicted(instance);
            // Pass 1: the lowest (instances of this manifest, total instances) among eligible hosts.
            var lowest = long.MaxValue;
            for (var h = 0; h < Hosts.Length; h++)
            {
                var key = Key(_perManifest[h], _instances[h]);
                if (key < lowest && Eligible(h, evicted, 0))
                    lowest = key;
            }

            var best = -1;
            if (lowest != long.MaxValue)
            {
                // Pass 2: rendezvous weights only for the hosts tied on it; the first in host order wins a tie of weights.
                var keyBytes = Encoding.UTF8.GetBytes(instance.Key);
                ulong bestWeight = 0;
                for (var h = 0; h < Hosts.Length; h++)
                {
                    if (Key(_perManifest[h], _instances[h]) != lowest || !Eligible(h, evicted, 0))
                        continue;
                    var weight = RendezvousHash.Weight(_hostHashes[h], keyBytes);
                    if (best < 0 || weight > bestWeight)
                    {
                        best = h;
                        bestWeight = weight;
                    }
                }
            }

            _steps.Add((instance, best));
            if (best >= 0)
            {
                _perManifest[best]++;
                _instances[best]++;
                _milliCpus[best] += _manifest.Resources?.MilliCpus ?? 0;
                _memoryBytes[best] += _manifest.Resources?.MemoryBytes ?? 0;
            }

            return best;
        }

        /// <summary>The rank <paramref name="host"/> had at <paramref name="step"/>: how many eligible hosts came before it (counted up to <paramref name="atMost"/>).</summary>
        public int RankOf(int step, string host, int atMost)
        {
            if (!_index.TryGetValue(host, out var me))
                return -1;
            var (instance, _) = _steps[step];
            var evicted = Evicted(instance);
            var since = ChosenSince(step);
            var myDelta = since.GetValueOrDefault(me);
            if (!Eligible(me, evicted, myDelta))
                return -1;

            var mine = Key(_perManifest[me] - myDelta, _instances[me] - myDelta);
            var keyBytes = Encoding.UTF8.GetBytes(instance.Key);
            var myWeight = RendezvousHash.Weight(_hostHashes[me], keyBytes);
            var rank = 0;
            for (var h = 0; h < Hosts.Length; h++)
            {
                var delta = since.Count == 0 ? 0 : since.GetValueOrDefault(h);
                if (h == me || !Eligible(h, evicted, delta))
                    continue;
                var key = Key(_perManifest[h] - delta, _instances[h] - delta);
                if (key < mine)
                {
                    rank++;
                }
                else if (key == mine)
                {
                    var weight = RendezvousHash.Weight(_hostHashes[h], keyBytes);
                    if (weight > myWeight || (weight == myWeight && h < me))
                        rank++;
                }

                if (rank >= atMost)
                    return atMost;
            }

            return rank;
        }

        /// <summary>Every eligible host at <paramref name="step"/>, best first: the ranking the planner used to build for every instance.</summary>
        public List<string> Ranking(int step)
        {
            var (instance, _) = _steps[step];
            var evicted = Evicted(instance);
            var since = ChosenSince(step);
            var key = instance.Key;
            return Enumerable.Range(0, Hosts.Length)
                .Where(h => Eligible(h, evicted, since.GetValueOrDefault(h)))
                .OrderBy(h => _perManifest[h] - since.GetValueOrDefault(h))
                .ThenBy(h => _instances[h] - since.GetValueOrDefault(h))
                .ThenByDescending(h => RendezvousHash.Weight(Hosts[h].HostId, key))
                .Select(h => Hosts[h].HostId)
                .ToList();
        }

        /// <summary>How many of the instances planned at or after <paramref name="step"/> each host took.</summary>
        private Dictionary<int, int> ChosenSince(int step)
        {
            var since = new Dictionary<int, int>();
            for (var s = step; s < _steps.Count; s++)
            {
                var chosen = _steps[s].Chosen;
                if (chosen >= 0)
                    since[chosen] = since.GetValueOrDefault(chosen) + 1;
            }

            return since;
        }

        /// <summary>Whether host <paramref name="h"/> could take one more, with <paramref name="taken"/> of the planned instances not counted yet.</summary>
        private bool Eligible(int h, int evicted, int taken)
        {
            if (!_accepts[h] || h == evicted)
                return false;
            var resources = _manifest.Resources;
            return HostUsage.HasRoom(_records[h], _manifest, _instances[h] - taken,
                _milliCpus[h] - (taken * (resources?.MilliCpus ?? 0)), _memoryBytes[h] - (taken * (resources?.MemoryBytes ?? 0)));
        }

        private int Evicted(InstanceId instance) =>
            _state.Evictions.TryGetValue(instance, out var host) && _index.TryGetValue(host, out var h) ? h : -1;

        private static long Key(int perManifest, int instances) => ((long)perManifest << 32) | (uint)instances;
    }

    /// <summary>The full ranking of one planned instance, built on first use; its best host and any host's rank without it.</summary>
    internal sealed class LazyRanking(ManifestPlan plan, int step, string? best) : IReadOnlyList<string>
    {
        private List<string>? _hosts;

        public bool IsBuilt => Volatile.Read(ref _hosts) is not null;

        public string? Best => best;

        public int Count => Hosts.Count;

        private List<string> Hosts => _hosts ??= plan.Ranking(step);

        public string this[int index] => Hosts[index];

        public int RankOf(string host, int atMost) => plan.RankOf(step, host, atMost);

        public IEnumerator<string> GetEnumerator() => Hosts.GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
