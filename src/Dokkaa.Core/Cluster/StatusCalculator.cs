using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using Dokkaa.Core.Discovery;
using Dokkaa.Core.Manifests;
using Dokkaa.Core.Placement;

namespace Dokkaa.Core.Cluster;

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
            return new StatusRecord { ObservedRevision = entry.ModRevision, Errors = errors };

        var hash = entry.Hash!;
        int running = 0, outdated = 0, claimed = 0;
        foreach (var claim in state.ClaimsOf(entry.Id))
        {
            if (claim.Id.Instance > manifest.Scale)
                continue;
            claimed++;
            if (claim.Record.State == InstanceState.Running)
            {
                if (claim.Record.ManifestHash == hash)
                    running++;
                else
                    outdated++;
            }

            if (!string.IsNullOrEmpty(claim.Record.Error))
                errors.Add($"instance {claim.Id.Instance} on {claim.Record.Host}: {claim.Record.Error}");
        }

        foreach (var link in manifest.Links)
        {
            var (service, app) = ServiceResolver.ParseLink(link, entry.Id.App);
            var provided = state.Manifests.Values.Any(m => m.Id.App == app && m.Effective?.Services.ContainsKey(service) == true);
            if (!provided)
                errors.Add($"link {link}: no manifest in app {app} provides service {service}");
        }

        if (state.Rollouts.TryGetValue(entry.Id, out var rollout) && rollout.Record.Failed && rollout.Record.ManifestHash == hash)
            errors.Add($"rolling update stopped: {rollout.Record.Error}");

        var pending = Math.Max(0, manifest.Scale - claimed);
        if (pending > 0 && !HasEligibleHost(state, manifest))
            errors.Add($"{pending} instance(s) pending: no eligible host ({DescribeHosts(state, manifest).Trim()})");

        return new StatusRecord
        {
            ObservedRevision = entry.ModRevision,
            ManifestHash = hash,
            Desired = manifest.Scale,
            Running = running,
            Pending = pending,
            Outdated = outdated,
            Errors = errors,
        };
    }

    // Writers by host set: the live hosts change rarely, the passes that ask come every few seconds.
    private static readonly ConditionalWeakTable<ImmutableSortedDictionary<string, HostEntry>, ConcurrentDictionary<ManifestId, string?>> Writers = new();

    /// <summary>
    /// The host that writes <paramref name="id"/>'s status: the live host with the highest rendezvous weight for
    /// the status key (null without hosts). Every agent asks this for every manifest on every pass, so the answer
    /// is kept for as long as the set of live hosts stays the same: a pass costs a lookup per manifest instead of
    /// a weight per host per manifest (7.3 s of a 7.8 s pass at 10,000 hosts and 1,001 manifests before).
    /// </summary>
    public static string? Writer(ClusterState state, ManifestId id) =>
        Writers.GetValue(state.Hosts, static _ => new ConcurrentDictionary<ManifestId, string?>())
            .GetOrAdd(id, static (id, hosts) => FindWriter(hosts, id), state.Hosts);

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

    // Host usage is a sweep over every claim; the status writer asks for it per manifest with pending instances.
    private static readonly ConditionalWeakTable<ClusterState, Dictionary<string, HostUsage>> Usage = new();

    private static bool HasEligibleHost(ClusterState state, Manifest manifest)
    {
        var usage = Usage.GetValue(state, HostUsage.Of);
        return state.Hosts.Values.Any(h => usage[h.HostId].Fits(h, manifest));
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
