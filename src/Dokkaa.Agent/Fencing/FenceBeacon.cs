using Dokkaa.Agent.Membership;
using Dokkaa.Core.Cluster;
using Microsoft.Extensions.Logging;

namespace Dokkaa.Agent.Fencing;

/// <summary>
/// The agent's side of the fence process: writes the lease record (<see cref="FenceRecord"/>) on every confirmed
/// renewal and whenever the set of exclusive manifests changes, and keeps one fence process running while there are
/// exclusive manifests. The record vouches for the current lease only once every exclusive claim of this host is
/// attached to it: a restarted agent has a new lease, but its claims stay on the old one until it re-attaches them,
/// and until then only the old lease's last renewal (carried over from the previous record) counts.
/// </summary>
public sealed class FenceBeacon
{
    private readonly HostMembership _membership;
    private readonly FenceFiles _files;
    private readonly FenceLauncher _launcher;
    private readonly ILogger _log;
    private readonly string _bootId;
    private readonly object _gate = new();
    private ClusterState? _state;
    private FenceRecord? _written;
    private FenceRecord? _carried;

    public FenceBeacon(HostMembership membership, FenceFiles files, FenceLauncher launcher, ILogger log, string bootId)
    {
        _membership = membership;
        _files = files;
        _launcher = launcher;
        _log = log;
        _bootId = bootId;
        _carried = files.Read() is { } previous && previous.BootId == bootId && previous.HostId == membership.HostId ? previous : null;
    }

    public FenceFiles Files => _files;

    /// <summary>Whether the fence process runs (holds its lock) now.</summary>
    public bool FenceRunning => _files.IsLocked();

    /// <summary>Writes the record for <paramref name="state"/> and starts the fence process if exclusive manifests need one.</summary>
    public void Guard(ClusterState state)
    {
        if (Publish(state) is { Exclusive.Count: > 0 })
            _launcher.EnsureRunning(_files);
    }

    /// <summary>After a confirmed renewal: the same state, a newer renewal.</summary>
    public void Renewed()
    {
        ClusterState? state;
        lock (_gate)
            state = _state;
        if (state is not null)
            Publish(state);
    }

    /// <summary>The agent shuts down normally: no renewal follows from this process; the fence process stays until nothing is left to guard.</summary>
    public void AgentStopped()
    {
        lock (_gate)
        {
            if (_written is { } last)
                Write(last with { AgentStopped = true });
        }
    }

    /// <summary>
    /// The record for <paramref name="state"/>, written if it differs from the last one. Nothing is written while no
    /// manifest is exclusive and none was (a host without exclusive instances needs no fence).
    /// </summary>
    public FenceRecord? Publish(ClusterState state)
    {
        lock (_gate)
        {
            _state = state;
            var exclusive = state.Manifests.Where(m => m.Value.Effective?.Exclusive == true).Select(m => m.Key).ToHashSet();
            if (exclusive.Count == 0 && (_written ?? _carried) is not { Exclusive.Count: > 0 })
                return _written;
            var me = _membership.HostId;
            var lease = _membership.LeaseId;
            var leases = state.Instances.Values.Where(c => c.Record.Host == me && exclusive.Contains(c.Id.Manifest)).Select(c => c.Lease).ToHashSet();
            (long Lease, long Ttl, long At) renewal;
            if (leases.All(l => l == lease))
            {
                renewal = (lease, (long)_membership.Ttl.TotalMilliseconds, _membership.LastRenewedNs);
                _carried = null;
            }
            else if (_carried is not null && leases.All(l => l == _carried.LeaseId))
            {
                renewal = (_carried.LeaseId, _carried.TtlMs, _carried.RenewedAtNs);
            }
            else
            {
                // Claims on a lease whose last renewal this agent does not know (lost, or before its time): closed.
                renewal = (lease, (long)_membership.Ttl.TotalMilliseconds, 0);
            }

            var record = new FenceRecord
            {
                HostId = me,
                LeaseId = renewal.Lease,
                TtlMs = renewal.Ttl,
                RenewedAtNs = renewal.At,
                BootId = _bootId,
                Exclusive = exclusive.Select(m => m.ToString()).Order(StringComparer.Ordinal).ToList(),
                AgentPid = Environment.ProcessId,
            };
            if (_written is null || !SameAs(_written, record))
                Write(record);
            return record;
        }
    }

    private void Write(FenceRecord record)
    {
        try
        {
            _files.Write(record);
            _written = record;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The fence process then sees no renewal and closes: exclusive instances stop, nothing runs twice.
            _log.LogWarning("Cannot write the fence's lease record {Path}: {Error}", _files.RecordPath, e.Message);
        }
    }

    private static bool SameAs(FenceRecord a, FenceRecord b) =>
        a with { Exclusive = b.Exclusive } == b && a.Exclusive.SequenceEqual(b.Exclusive, StringComparer.Ordinal);
}
