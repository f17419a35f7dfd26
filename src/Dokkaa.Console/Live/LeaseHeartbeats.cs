using System.Collections.Immutable;
using Dokkaa.Core.Cluster;
using Dokkaa.Core.Etcd;

namespace Dokkaa.WebConsole.Live;

/// <summary>
/// How long ago each host's agent renewed its lease. The host record is written once at registration; the
/// heartbeat is the lease keepalive, which etcd does not publish as a change. So while someone watches, this
/// asks etcd (lease time-to-live, a read, through the console's own client and so with its TLS and user) how
/// much of each host's lease TTL is left: renewed at now - (granted - remaining), to the second.
/// </summary>
internal sealed class LeaseHeartbeats
{
    private static readonly TimeSpan Wobble = TimeSpan.FromSeconds(1.1);

    private readonly IEtcdClient _etcd;
    private readonly TimeProvider _clock;
    private ImmutableDictionary<string, HostHeartbeat> _current = ImmutableDictionary<string, HostHeartbeat>.Empty.WithComparers(StringComparer.Ordinal);

    public LeaseHeartbeats(IEtcdClient etcd, TimeProvider clock)
    {
        _etcd = etcd;
        _clock = clock;
    }

    /// <summary>The latest heartbeats by host name (hosts whose lease could not be read are left out).</summary>
    public IReadOnlyDictionary<string, HostHeartbeat> Current => Volatile.Read(ref _current);

    /// <summary>Reads every host's lease once; returns true when anything changed.</summary>
    public async Task<bool> ProbeAsync(ClusterState state, CancellationToken cancellationToken)
    {
        var next = ImmutableDictionary.CreateBuilder<string, HostHeartbeat>(StringComparer.Ordinal);
        foreach (var host in state.Hosts.Values)
        {
            if (host.Lease == 0)
                continue; // Written without a lease (by hand): it has no heartbeat.
            var beat = await ReadAsync(host.Lease, cancellationToken).ConfigureAwait(false);
            if (beat is null)
                continue;
            // The TTL is in whole seconds, so the estimate wobbles by up to a second between probes; only a
            // renewal (a jump of about a third of the TTL, at least a second) is news.
            next[host.HostId] = Current.TryGetValue(host.HostId, out var old) && old.TtlSeconds == beat.TtlSeconds &&
                                (beat.LastBeatAt - old.LastBeatAt).Duration() < Wobble
                ? old
                : beat;
        }

        var built = next.ToImmutable();
        var before = Current;
        var changed = built.Count != before.Count || built.Any(kv => !before.TryGetValue(kv.Key, out var old) || !ReferenceEquals(old, kv.Value));
        if (changed)
            Volatile.Write(ref _current, built);
        return changed;
    }

    private async Task<HostHeartbeat?> ReadAsync(long lease, CancellationToken cancellationToken)
    {
        var sentAt = _clock.GetUtcNow();
        LeaseTimeToLive? ttl;
        try
        {
            ttl = await _etcd.LeaseTimeToLiveAsync(lease, cancellationToken).ConfigureAwait(false);
        }
        catch (EtcdException)
        {
            return null; // A heartbeat we cannot read is left out, not guessed.
        }

        // Expired or revoked: the host key goes with it.
        return ttl is null ? null : new HostHeartbeat(sentAt - TimeSpan.FromSeconds(Math.Max(0, ttl.GrantedSeconds - ttl.RemainingSeconds)), ttl.GrantedSeconds, ttl.RemainingSeconds, sentAt);
    }
}
