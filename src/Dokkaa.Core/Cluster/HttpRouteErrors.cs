using System.Collections.Immutable;
using System.Runtime.CompilerServices;

namespace Dokkaa.Core.Cluster;

/// <summary>
/// The status errors of a routed manifest that come from the hosts' nginx (<see cref="HostRecord.HttpError"/> and
/// <see cref="HostRecord.HttpRouteErrors"/>): one line per distinct message, naming the hosts that report it, so
/// a problem every host sees (a refused route) is one line and not one per host.
/// </summary>
public static class HttpRouteErrors
{
    /// <summary>Hosts named in one line; the rest are counted.</summary>
    private const int HostsShown = 5;

    // Indexed once per host set: the status writer asks for every manifest on every pass.
    private static readonly ConditionalWeakTable<ImmutableSortedDictionary<string, HostEntry>, Index> Indexes = new();

    /// <summary>The lines for <paramref name="id"/>, which declares an http host and serves it.</summary>
    public static IEnumerable<string> For(ClusterState state, ManifestId id)
    {
        var index = Indexes.GetValue(state.Hosts, static hosts => new Index(hosts));
        var lines = index.HostWide;
        return index.ByManifest.TryGetValue(id.ToString(), out var own) ? lines.Concat(own) : lines;
    }

    private sealed class Index
    {
        public Index(ImmutableSortedDictionary<string, HostEntry> hosts)
        {
            HostWide = Lines(hosts.Values.Where(h => h.Record.HttpError is not null).Select(h => (h.HostId, $"nginx does not run: {h.Record.HttpError}")));
            ByManifest = hosts.Values
                .SelectMany(h => (h.Record.HttpRouteErrors ?? new Dictionary<string, string>()).Select(e => (Manifest: e.Key, h.HostId, Message: e.Value)))
                .GroupBy(e => e.Manifest, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => Lines(g.Select(e => (e.HostId, e.Message))), StringComparer.Ordinal);
        }

        public IReadOnlyList<string> HostWide { get; }

        public Dictionary<string, IReadOnlyList<string>> ByManifest { get; }

        private static IReadOnlyList<string> Lines(IEnumerable<(string Host, string Message)> errors) =>
            errors
                .GroupBy(e => e.Message, StringComparer.Ordinal)
                .OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => $"http on {Hosts(g.Select(e => e.Host).Order(StringComparer.Ordinal).ToList())}: {g.Key}")
                .ToList();

        private static string Hosts(IReadOnlyList<string> hosts) =>
            hosts.Count <= HostsShown
                ? string.Join(", ", hosts)
                : $"{string.Join(", ", hosts.Take(HostsShown))} and {hosts.Count - HostsShown} more host(s)";
    }
}
