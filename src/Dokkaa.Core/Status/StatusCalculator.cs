using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using Dokkaa.Core.Cluster;
using Dokkaa.Core.Discovery;
using Dokkaa.Core.Manifests;
using Dokkaa.Core.Placement;

namespace Dokkaa.Core.Status;

/// <summary>
/// What <c>/dokkaa/status/&lt;app&gt;/&lt;name&gt;</c> should say, computed from a snapshot. Pure, so every
/// agent computes the same answer and the writer only writes when it differs.
/// </summary>
public static class StatusCalculator
{
    public static StatusRecord Compute(ClusterState state, ManifestEntry entry)
    {
        var errors = new List<string>();
        foreach (var error in entry.Errors)
            errors.Add($"manifest: {error}");
        if (!entry.IsValid)
        {
            errors.Add(entry.LastValid is null
                ? "manifest is invalid; nothing was changed"
                : "manifest is invalid; the last valid version keeps running");
        }

        var manifest = entry.Effective;
        if (manifest is null)
            return new StatusRecord { ObservedRevision = entry.ModRevision, Errors = Bound(errors) };

        var hash = entry.Hash!;
        int running = 0, outdated = 0, claimed = 0;
        foreach (var claim in state.ClaimsOf(entry.Id))
        {
            if (claim.Id.Instance > manifest.Scale)
                continue;
            claimed++;
            if (ServingInstances.IsServing(claim, manifest))
            {
                if (claim.Record.ManifestHash == hash)
                    running++;
                else
                    outdated++;
            }

            if (!string.IsNullOrEmpty(claim.Record.Error))
                errors.Add($"instance {claim.Id.Instance} on {claim.Record.Host}: {claim.Record.Error}");
        }

        var owners = ServiceOwners.Of(state);
        errors.AddRange(owners.Conflicts(entry));
        foreach (var link in manifest.Links)
        {
            var (service, app) = ServiceResolver.ParseLink(link, entry.Id.App);
            if (owners.OwnerOf(app, service) is null)
                errors.Add($"link {link}: no manifest in app {app} provides service {service}");
        }

        if (manifest.Http is not null)
        {
            if (HttpHostOwners.Of(state).Conflict(entry) is { } conflict)
                errors.Add(conflict);
            else
                errors.AddRange(HttpRouteErrors.For(state, entry.Id));
        }

        if (manifest.Exclusive)
        {
            foreach (var host in state.ClaimsOf(entry.Id).Select(c => c.Record.Host).Distinct(StringComparer.Ordinal))
            {
                if (state.Hosts.TryGetValue(host, out var entryOfHost) && entryOfHost.Record.FenceError is { } fenceError)
                    errors.Add($"exclusive instances cannot start on {host}: {fenceError}");
            }
        }

        if (state.Rollouts.TryGetValue(entry.Id, out var rollout) && rollout.Record.Failed && rollout.Record.ManifestHash == hash)
            errors.Add($"rolling update stopped: {rollout.Record.Error}");

        var pending = Math.Max(0, manifest.Scale - claimed);
        if (pending > 0 && !HostFit.AnyHostTakes(state, manifest))
            errors.Add($"{pending} instance(s) pending: no eligible host ({DescribeHosts(state, manifest).Trim()})");

        return new StatusRecord
        {
            ObservedRevision = entry.ModRevision,
            ManifestHash = hash,
            Desired = manifest.Scale,
            Running = running,
            Pending = pending,
            Outdated = outdated,
            Errors = Bound(errors),
        };
    }

    /// <summary>Errors kept in one status; the rest are counted. A status must stay far below etcd's 1.5 MB request limit.</summary>
    public const int MaxErrors = 20;

    /// <summary>Characters kept of one error (a Docker or etcd message can quote whatever it was given).</summary>
    public const int MaxErrorLength = 500;

    /// <summary>
    /// Keeps a status small whatever the manifest or the claims hold: at most <see cref="MaxErrors"/> errors of at most
    /// <see cref="MaxErrorLength"/> characters, then "and N more". A status etcd refused once stopped every status
    /// after it from being written.
    /// </summary>
    public static List<string> Bound(List<string> errors)
    {
        var kept = errors.Take(MaxErrors)
            .Select(e => e.Length <= MaxErrorLength ? e : string.Concat(e.AsSpan(0, MaxErrorLength), "... (cut)"))
            .ToList();
        if (errors.Count > MaxErrors)
            kept.Add($"and {errors.Count - MaxErrors} more error(s)");
        return kept;
    }

    // Writers by host set: the live hosts change rarely, the passes that ask come every few seconds.
    private static readonly ConditionalWeakTable<ImmutableSortedDictionary<string, HostEntry>, WriterTable> Writers = new();

    // The table asked last: a new host set starts from its answers instead of from nothing.
    private static WriterTable? _latest;

    /// <summary>At most this many hosts new since the last table are weighed against each known writer; more start afresh.</summary>
    private const int MaxAddedToCarry = 64;

    /// <summary>
    /// The host that writes <paramref name="id"/>'s status: the live host with the highest rendezvous weight for
    /// the status key (null without hosts). Every agent asks this for every manifest on every pass, so the answer
    /// is kept for as long as the set of live hosts stays the same: a pass costs a lookup per manifest instead of
    /// a weight per host per manifest (7.3 s of a 7.8 s pass at 10,000 hosts and 1,001 manifests before).
    /// When the set changes, the answers carry over: a writer that is still alive only has to be weighed against
    /// the hosts that joined, and only the manifests whose writer left are weighed against every host (a pass
    /// right after 10% of 10,000 hosts died spent 0.9 s recomputing every writer before).
    /// </summary>
    public static string? Writer(ClusterState state, ManifestId id)
    {
        var table = Writers.GetValue(state.Hosts, static hosts => WriterTable.Derive(hosts, Volatile.Read(ref _latest)));
        Volatile.Write(ref _latest, table);
        return table.Writers.GetOrAdd(id, static (id, hosts) => FindWriter(hosts, id), table.Hosts);
    }

    private static string? FindWriter(ImmutableSortedDictionary<string, HostEntry> hosts, ManifestId id)
    {
        var key = KeyLayout.Status(id.App, id.Name);
        string? writer = null;
        ulong best = 0;
        foreach (var host in hosts.Keys)
        {
            // Highest weight wins; on equal weights the first in order, as OrderByDescending(...).First() did.
            var weight = RendezvousHash.Weight(host, key);
            if (writer is null || weight > best)
            {
                writer = host;
                best = weight;
            }
        }

        return writer;
    }

    private sealed class WriterTable(ImmutableSortedDictionary<string, HostEntry> hosts, ConcurrentDictionary<ManifestId, string?> writers)
    {
        public ImmutableSortedDictionary<string, HostEntry> Hosts { get; } = hosts;

        public ConcurrentDictionary<ManifestId, string?> Writers { get; } = writers;

        /// <summary>A table for <paramref name="hosts"/> that keeps every answer of <paramref name="previous"/> still true.</summary>
        public static WriterTable Derive(ImmutableSortedDictionary<string, HostEntry> hosts, WriterTable? previous)
        {
            var writers = new ConcurrentDictionary<ManifestId, string?>();
            if (previous is null)
                return new WriterTable(hosts, writers);
            var added = hosts.Keys.Where(h => !previous.Hosts.ContainsKey(h)).ToList();
            if (added.Count > MaxAddedToCarry)
                return new WriterTable(hosts, writers);

            foreach (var (id, writer) in previous.Writers)
            {
                if (writer is null || !hosts.ContainsKey(writer))
                    continue; // Its writer left: weighed against every host when asked.
                var best = writer;
                if (added.Count > 0)
                {
                    var key = KeyLayout.Status(id.App, id.Name);
                    var bestWeight = RendezvousHash.Weight(writer, key);
                    foreach (var host in added)
                    {
                        var weight = RendezvousHash.Weight(host, key);
                        if (weight > bestWeight || (weight == bestWeight && hosts.KeyComparer.Compare(host, best) < 0))
                        {
                            best = host;
                            bestWeight = weight;
                        }
                    }
                }

                writers[id] = best;
            }

            return new WriterTable(hosts, writers);
        }
    }

    private static string DescribeHosts(ClusterState state, Manifest manifest)
    {
        if (state.Hosts.Count == 0)
            return "no live host";
        var needs = new List<string>();
        if (manifest.Constraints.Count > 0)
            needs.Add("labels " + string.Join(",", manifest.Constraints.Select(c => $"{c.Key}={c.Value}")));
        if (manifest.Resources is { } r)
            needs.Add($"{r.MilliCpus / 1000m:0.###} cpus, {r.MemoryBytes / (1024 * 1024)} MiB");
        var wanted = needs.Count == 0 ? "" : $" needs {string.Join(" and ", needs)};";
        return $"{wanted} {state.Hosts.Count} live host(s), none with room left or matching";
    }

    /// <summary>True when two statuses say the same thing (records hold lists, so == is not enough).</summary>
    public static bool SameAs(this StatusRecord a, StatusRecord b) =>
        a.ObservedRevision == b.ObservedRevision && a.ManifestHash == b.ManifestHash && a.Desired == b.Desired &&
        a.Running == b.Running && a.Pending == b.Pending && a.Outdated == b.Outdated && a.Errors.SequenceEqual(b.Errors);
}
