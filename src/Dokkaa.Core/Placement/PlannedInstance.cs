using System.Collections;
using Dokkaa.Core.Cluster;

namespace Dokkaa.Core.Placement;

/// <summary>Where one unclaimed instance should go: eligible hosts, best first. Empty: it fits nowhere (pending).</summary>
/// <remarks>
/// From <see cref="PlacementPlanner"/>, <see cref="RankedHosts"/> is built on first use (sorting every host
/// costs O(hosts log hosts) per instance); <see cref="Best"/> and <see cref="RankOf(string, int)"/> answer without it.
/// </remarks>
public sealed record PlannedInstance(InstanceId Id, IReadOnlyList<string> RankedHosts)
{
    internal PlannedInstance(InstanceId id, ManifestPlan plan, int step, string? best)
        : this(id, new LazyRanking(plan, step, best))
    {
    }

    /// <summary>The host that should claim it (<c>RankedHosts[0]</c>), or null when it fits nowhere.</summary>
    public string? Best => RankedHosts is LazyRanking { IsBuilt: false } lazy
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
        if (RankedHosts is LazyRanking { IsBuilt: false } lazy)
            return lazy.RankOf(host, atMost);
        for (var i = 0; i < RankedHosts.Count; i++)
        {
            if (RankedHosts[i] == host)
                return Math.Min(i, atMost);
        }

        return -1;
    }

    /// <summary>The full ranking of one planned instance, built on first use; its best host and any host's rank without it.</summary>
    private sealed class LazyRanking(ManifestPlan plan, int step, string? best) : IReadOnlyList<string>
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
