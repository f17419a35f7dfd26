using System.Text;
using Dokkaa.Core.Cluster;
using Dokkaa.Core.Manifests;

namespace Dokkaa.Core.Placement;

/// <summary>
/// One manifest's placement state, in arrays indexed by host (see <see cref="PlacementPlanner"/> for the rule).
/// The per-host counts move as instances are planned; each step records the host it chose, so the counts an
/// earlier step saw are the final ones minus the choices made since (for <see cref="RankOf"/> and the full
/// ranking, asked for after planning is done).
/// </summary>
/// <remarks>
/// Cost per manifest: one pass over the hosts' arrays (shared per set of live hosts, <see cref="HostTable"/>),
/// and weighing and sorting only the hosts that can be among its targets. Per instance: O(1) when its target
/// takes it; O(scale) when it must go elsewhere and a target is under its quota (a failover); O(hosts) when none
/// is (a full cluster). Rendezvous weights per instance are computed only for hosts tied on everything else.
/// </remarks>
internal sealed class ManifestPlan
{
    private readonly ClusterState _state;
    private readonly Manifest _manifest;
    private readonly HostEntry[] _hosts;
    private readonly Dictionary<string, int> _index;
    private readonly HostLoads _usage;
    private readonly bool[] _accepts;
    private readonly ulong[] _hostHashes;
    private readonly int[] _orderLoad;
    private readonly int[] _quota;
    private readonly int[] _count;
    private readonly int[] _instances;
    private readonly int[] _milliCpus;
    private readonly long[] _memoryBytes;
    private readonly int[] _targets;
    private readonly List<(InstanceId Instance, int Chosen)> _steps = new();

    public ManifestPlan(ClusterState state, HostTable table, ManifestId id, Manifest manifest, HostLoads usage, int[] order)
    {
        _state = state;
        _manifest = manifest;
        _usage = usage;
        _hosts = table.Hosts;
        _index = table.Index;
        _hostHashes = table.Prefixes;
        var n = _hosts.Length;
        // Copies: the caller goes on adding later manifests to its arrays, and ranks are asked for after that.
        _orderLoad = (int[])order.Clone();
        _instances = (int[])usage.Instances.Clone();
        _milliCpus = (int[])usage.MilliCpus.Clone();
        _memoryBytes = (long[])usage.MemoryBytes.Clone();
        _accepts = new bool[n];
        _quota = new int[n];
        _count = new int[n];
        var eligible = new List<int>(n);
        for (var h = 0; h < n; h++)
        {
            _accepts[h] = HostFit.Accepts(usage.Closed[h], _hosts[h].Record, manifest);
            if (_accepts[h])
                eligible.Add(h);
        }

        _targets = Targets(eligible, Math.Min(manifest.Scale, eligible.Count), KeyLayout.Manifest(id.App, id.Name));
        for (var i = 0; i < manifest.Scale && _targets.Length > 0; i++)
            _quota[_targets[i % _targets.Length]]++;

        foreach (var claim in state.ClaimsOf(id))
        {
            if (claim.Id.Instance <= manifest.Scale && _index.TryGetValue(claim.Record.Host, out var h))
                _count[h]++;
        }
    }

    /// <summary>
    /// The first <paramref name="k"/> eligible hosts of the manifest's one order: least loaded by the manifests
    /// before this one, then the highest rendezvous weight of host and manifest. Instance i targets the i-th of
    /// them (round robin when the scale exceeds the eligible hosts, then k is all of them). Only hosts that can
    /// make the cut are weighed and sorted: those below the k-th smallest load and those level with it.
    /// </summary>
    private int[] Targets(List<int> eligible, int k, string manifestKey)
    {
        if (k == 0)
            return Array.Empty<int>();
        var cut = KthSmallestLoad(eligible, k);
        var candidates = new List<int>();
        foreach (var h in eligible)
        {
            if (_orderLoad[h] <= cut)
                candidates.Add(h);
        }

        var keyBytes = Encoding.UTF8.GetBytes(manifestKey);
        var weights = new ulong[candidates.Count];
        var keys = new int[candidates.Count];
        for (var c = 0; c < candidates.Count; c++)
        {
            weights[c] = RendezvousHash.Weight(_hostHashes[candidates[c]], keyBytes);
            keys[c] = c;
        }

        Array.Sort(keys, (a, b) =>
        {
            int loadA = _orderLoad[candidates[a]], loadB = _orderLoad[candidates[b]];
            if (loadA != loadB)
                return loadA.CompareTo(loadB);
            return weights[a] != weights[b] ? weights[b].CompareTo(weights[a]) : candidates[a].CompareTo(candidates[b]);
        });
        var targets = new int[k];
        for (var t = 0; t < k; t++)
            targets[t] = candidates[keys[t]];
        return targets;
    }

    /// <summary>The order load of the k-th least loaded eligible host (1-based k).</summary>
    private int KthSmallestLoad(List<int> eligible, int k)
    {
        if (k >= eligible.Count)
            return int.MaxValue;
        int min = int.MaxValue, max = int.MinValue;
        foreach (var h in eligible)
        {
            min = Math.Min(min, _orderLoad[h]);
            max = Math.Max(max, _orderLoad[h]);
        }

        if ((long)max - min < 1 << 16)
        {
            // Loads sit close together in a balanced cluster: count them.
            var counts = new int[max - min + 1];
            foreach (var h in eligible)
                counts[_orderLoad[h] - min]++;
            var seen = 0;
            for (var load = 0; load < counts.Length; load++)
            {
                seen += counts[load];
                if (seen >= k)
                    return load + min;
            }
        }

        var loads = eligible.Select(h => _orderLoad[h]).ToArray();
        Array.Sort(loads);
        return loads[k - 1];
    }

    public int Steps => _steps.Count;

    public string HostId(int h) => _hosts[h].HostId;

    /// <summary>Plans the next unclaimed instance: the best host (index) or -1, counted against that host and its usage.</summary>
    public int Choose(InstanceId instance)
    {
        var evicted = Evicted(instance);
        var target = Target(instance);
        int best;
        if (target >= 0 && target != evicted && _count[target] < _quota[target] && HasRoom(target, 0))
        {
            best = target;
        }
        else
        {
            best = -1;
            var keyBytes = Encoding.UTF8.GetBytes(instance.Key);
            // A host under its quota beats every host that is not (quota 0 means never under it), and only targets
            // have a quota: after a failover, when some are under, they are all that must be compared.
            foreach (var h in _targets)
            {
                if (_count[h] < _quota[h] && Eligible(h, evicted, 0) && (best < 0 || Compare(h, 0, best, 0, target, keyBytes) < 0))
                    best = h;
            }

            if (best < 0)
            {
                for (var h = 0; h < _hosts.Length; h++)
                {
                    if (Eligible(h, evicted, 0) && (best < 0 || Compare(h, 0, best, 0, target, keyBytes) < 0))
                        best = h;
                }
            }
        }

        _steps.Add((instance, best));
        if (best >= 0)
        {
            _count[best]++;
            _instances[best]++;
            _milliCpus[best] += _manifest.Resources?.MilliCpus ?? 0;
            _memoryBytes[best] += _manifest.Resources?.MemoryBytes ?? 0;
            _usage.Add(best, _manifest.Resources);
        }

        return best;
    }

    /// <summary>The rank <paramref name="host"/> had at <paramref name="step"/>: how many eligible hosts came before it (counted up to <paramref name="atMost"/>).</summary>
    public int RankOf(int step, string host, int atMost)
    {
        if (!_index.TryGetValue(host, out var me))
            return -1;
        var instance = _steps[step].Instance;
        var evicted = Evicted(instance);
        var since = ChosenSince(step);
        var myTaken = since.GetValueOrDefault(me);
        if (!Eligible(me, evicted, myTaken))
            return -1;

        var target = Target(instance);
        var keyBytes = Encoding.UTF8.GetBytes(instance.Key);
        var rank = 0;
        for (var h = 0; h < _hosts.Length; h++)
        {
            var taken = since.Count == 0 ? 0 : since.GetValueOrDefault(h);
            if (h == me || !Eligible(h, evicted, taken))
                continue;
            if (Compare(h, taken, me, myTaken, target, keyBytes) < 0)
                rank++;
            if (rank >= atMost)
                return atMost;
        }

        return rank;
    }

    /// <summary>Every eligible host at <paramref name="step"/>, best first.</summary>
    public List<string> Ranking(int step)
    {
        var instance = _steps[step].Instance;
        var evicted = Evicted(instance);
        var since = ChosenSince(step);
        var target = Target(instance);
        var keyBytes = Encoding.UTF8.GetBytes(instance.Key);
        var ranked = Enumerable.Range(0, _hosts.Length).Where(h => Eligible(h, evicted, since.GetValueOrDefault(h))).ToList();
        ranked.Sort((a, b) => Compare(a, since.GetValueOrDefault(a), b, since.GetValueOrDefault(b), target, keyBytes));
        return ranked.Select(h => _hosts[h].HostId).ToList();
    }

    /// <summary>
    /// The ranking of two eligible hosts for one instance, each with <c>taken</c> of the later steps' choices not
    /// counted yet: its target while under quota; then furthest under quota, fewest of this manifest, least loaded
    /// by the manifests before, highest rendezvous weight of host and instance; the lower index on a tie of weights.
    /// </summary>
    private int Compare(int a, int takenA, int b, int takenB, int target, byte[] keyBytes)
    {
        int countA = _count[a] - takenA, countB = _count[b] - takenB;
        var firstA = a == target && countA < _quota[a] ? 0 : 1;
        var firstB = b == target && countB < _quota[b] ? 0 : 1;
        if (firstA != firstB)
            return firstA.CompareTo(firstB);
        if (countA - _quota[a] != countB - _quota[b])
            return (countA - _quota[a]).CompareTo(countB - _quota[b]);
        if (countA != countB)
            return countA.CompareTo(countB);
        if (_orderLoad[a] != _orderLoad[b])
            return _orderLoad[a].CompareTo(_orderLoad[b]);
        var weightA = RendezvousHash.Weight(_hostHashes[a], keyBytes);
        var weightB = RendezvousHash.Weight(_hostHashes[b], keyBytes);
        return weightA != weightB ? weightB.CompareTo(weightA) : a.CompareTo(b);
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

    /// <summary>Whether host <paramref name="h"/> could take the instance, with <paramref name="taken"/> of the planned instances not counted yet.</summary>
    private bool Eligible(int h, int evicted, int taken) => _accepts[h] && h != evicted && HasRoom(h, taken);

    private bool HasRoom(int h, int taken)
    {
        var resources = _manifest.Resources;
        return HostFit.HasRoom(_hosts[h].Record, _manifest, _instances[h] - taken,
            _milliCpus[h] - (taken * (resources?.MilliCpus ?? 0)), _memoryBytes[h] - (taken * (resources?.MemoryBytes ?? 0)));
    }

    /// <summary>Instance i's target: the i-th eligible host of the manifest's order, round robin; -1 when none is eligible.</summary>
    private int Target(InstanceId instance) => _targets.Length == 0 ? -1 : _targets[(instance.Instance - 1) % _targets.Length];

    private int Evicted(InstanceId instance) =>
        _state.Evictions.TryGetValue(instance, out var host) && _index.TryGetValue(host, out var h) ? h : -1;
}
