using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using Dokkaa.Core.Cluster;

namespace Dokkaa.WebConsole.Live;

/// <summary>
/// How long ago each host's agent renewed its lease. The host record is written once at registration; the
/// heartbeat is the lease keepalive, which etcd does not publish as a change. So while someone watches, this
/// asks etcd (<c>/v3/lease/timetolive</c>, a read) how much of each host's lease TTL is left: renewed at
/// now - (granted - remaining), to the second.
/// </summary>
internal sealed class LeaseHeartbeats : IDisposable
{
    private static readonly TimeSpan Wobble = TimeSpan.FromSeconds(1.1);

    private readonly IReadOnlyList<Uri> _endpoints;
    private readonly HttpClient _http;
    private readonly TimeProvider _clock;
    private ImmutableDictionary<string, HostHeartbeat> _current = ImmutableDictionary<string, HostHeartbeat>.Empty.WithComparers(StringComparer.Ordinal);
    private int _preferred;

    public LeaseHeartbeats(IReadOnlyList<Uri> endpoints, TimeProvider clock)
    {
        _endpoints = endpoints;
        _clock = clock;
        _http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
    }

    /// <summary>The latest heartbeats by host name (hosts whose lease could not be read are left out).</summary>
    public IReadOnlyDictionary<string, HostHeartbeat> Current => Volatile.Read(ref _current);

    /// <summary>Reads every host's lease once; returns true when anything changed.</summary>
    public async Task<bool> ProbeAsync(ClusterState state, CancellationToken cancellationToken)
    {
        if (_endpoints.Count == 0)
            return false;
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
        for (var i = 0; i < _endpoints.Count; i++)
        {
            var index = (_preferred + i) % _endpoints.Count;
            try
            {
                var sentAt = _clock.GetUtcNow();
                // The gateway's field is "ID", an int64 written as a string.
                using var body = new StringContent($"{{\"ID\":\"{lease.ToString(CultureInfo.InvariantCulture)}\"}}", System.Text.Encoding.UTF8, "application/json");
                using var response = await _http.PostAsync(new Uri(_endpoints[index], "/v3/lease/timetolive"), body, cancellationToken).ConfigureAwait(false);
                if (!response.IsSuccessStatusCode)
                    continue;
                using var document = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), cancellationToken: cancellationToken).ConfigureAwait(false);
                _preferred = index;
                var remaining = Int64(document.RootElement, "TTL");
                var granted = Int64(document.RootElement, "grantedTTL");
                if (remaining < 0 || granted <= 0)
                    return null; // Expired: the host key goes with it.
                return new HostHeartbeat(sentAt - TimeSpan.FromSeconds(Math.Max(0, granted - remaining)), granted, remaining, sentAt);
            }
            catch (Exception e) when (e is HttpRequestException or JsonException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                // Try the next member; a heartbeat we cannot read is left out, not guessed.
            }
        }

        return null;
    }

    private static long Int64(JsonElement root, string name) =>
        !root.TryGetProperty(name, out var value) ? 0
        : value.ValueKind == JsonValueKind.Number ? value.GetInt64()
        : long.TryParse(value.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed) ? parsed : 0;

    public void Dispose() => _http.Dispose();
}
