using Dokkaa.Agent.Fencing;
using Dokkaa.Agent.Membership;
using Dokkaa.Agent.Tests.Http;
using Dokkaa.Core.Cluster;
using Dokkaa.Testing;
using Dokkaa.Testing.Etcd;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Dokkaa.Agent.Tests.Units;

/// <summary>
/// What the agent tells the fence process, on a manual clock: which manifests are exclusive, and the last renewal of
/// the lease this host's exclusive claims are attached to (and nothing fresher than that).
/// </summary>
public sealed class FenceBeaconTests : IDisposable
{
    private const string Boot = "boot-1";
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(2);

    // Early enough that the manual clock's ticks, in nanoseconds, fit a long.
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(100, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly InMemoryEtcd _etcd;
    private readonly string _dataDir = Directory.CreateTempSubdirectory("dokkaa-fence-").FullName;
    private readonly FenceFiles _files;

    public FenceBeaconTests()
    {
        _etcd = new InMemoryEtcd(new InMemoryEtcdOptions { TimeProvider = _clock });
        _files = new FenceFiles(_dataDir);
    }

    public void Dispose()
    {
        _etcd.Dispose();
        Directory.Delete(_dataDir, recursive: true);
    }

    [Fact]
    public async Task Without_exclusive_manifests_nothing_is_written()
    {
        var (membership, beacon) = await StartAgentAsync();
        beacon.Publish(new ClusterStateBuilder().HttpManifest("app", "web", null).HttpInstance("app", "web", 1, "10.0.0.1", null, lease: membership.LeaseId).State);
        Assert.False(File.Exists(_files.RecordPath));
    }

    [Fact]
    public async Task The_record_names_the_exclusive_manifests_and_follows_the_renewals_of_the_lease_their_claims_are_on()
    {
        var (membership, beacon) = await StartAgentAsync();
        var state = new ClusterStateBuilder().HttpManifest("app", "lock", null, exclusive: true).HttpManifest("app", "web", null)
            .HttpInstance("app", "lock", 1, "10.0.0.1", null, lease: membership.LeaseId).State;
        beacon.Publish(state);
        var record = _files.Read()!;
        Assert.Equal(new[] { "app/lock" }, record.Exclusive);
        Assert.Equal((membership.LeaseId, 2000L, membership.LastRenewedNs, Boot, "h1", Environment.ProcessId, false),
            (record.LeaseId, record.TtlMs, record.RenewedAtNs, record.BootId, record.HostId, record.AgentPid, record.AgentStopped));

        // The lease is lost and a new one granted; the view still has the claim on the old one: nothing vouches for it.
        _clock.Advance(TimeSpan.FromSeconds(3));
        await membership.RegisterAsync(CancellationToken.None);
        Assert.Equal(0, _files.Read()!.RenewedAtNs);

        // Once the claim is on the new lease, its renewals count.
        beacon.Publish(new ClusterStateBuilder().HttpManifest("app", "lock", null, exclusive: true).HttpInstance("app", "lock", 1, "10.0.0.1", null, lease: membership.LeaseId).State);
        Assert.Equal((membership.LeaseId, membership.LastRenewedNs), (_files.Read()!.LeaseId, _files.Read()!.RenewedAtNs));

        beacon.AgentStopped();
        Assert.True(_files.Read()!.AgentStopped);
    }

    [Fact]
    public async Task A_restarted_agent_vouches_only_for_the_old_leases_last_renewal_until_it_moved_the_claims()
    {
        var (first, firstBeacon) = await StartAgentAsync();
        var oldLease = first.LeaseId;
        var oldRenewal = first.LastRenewedNs;
        firstBeacon.Publish(new ClusterStateBuilder().HttpManifest("app", "lock", null, exclusive: true).HttpInstance("app", "lock", 1, "10.0.0.1", null, lease: oldLease).State);
        firstBeacon.AgentStopped();

        _clock.Advance(TimeSpan.FromSeconds(0.8));
        var (second, secondBeacon) = await StartAgentAsync();
        Assert.NotEqual(oldLease, second.LeaseId);
        secondBeacon.Publish(new ClusterStateBuilder().HttpManifest("app", "lock", null, exclusive: true).HttpInstance("app", "lock", 1, "10.0.0.1", null, lease: oldLease).State);
        var carried = _files.Read()!;
        Assert.Equal((oldLease, oldRenewal, false), (carried.LeaseId, carried.RenewedAtNs, carried.AgentStopped));

        // A claim on a lease it knows nothing of: no renewal at all.
        secondBeacon.Publish(new ClusterStateBuilder().HttpManifest("app", "lock", null, exclusive: true).HttpInstance("app", "lock", 1, "10.0.0.1", null, lease: 999).State);
        Assert.Equal(0, _files.Read()!.RenewedAtNs);

        secondBeacon.Publish(new ClusterStateBuilder().HttpManifest("app", "lock", null, exclusive: true).HttpInstance("app", "lock", 1, "10.0.0.1", null, lease: second.LeaseId).State);
        Assert.Equal((second.LeaseId, second.LastRenewedNs), (_files.Read()!.LeaseId, _files.Read()!.RenewedAtNs));
    }

    private async Task<(HostMembership Membership, FenceBeacon Beacon)> StartAgentAsync()
    {
        var membership = new HostMembership(_etcd, "h1", Ttl, () => new HostRecord { Address = "127.0.0.1", AgentVersion = "0.1.0" }, NullLogger.Instance, _clock);
        await membership.RegisterAsync(CancellationToken.None);
        var beacon = new FenceBeacon(membership, _files, new FenceLauncher(Array.Empty<string>(), NullLogger.Instance), NullLogger.Instance, Boot);
        membership.Renewed += beacon.Renewed;
        return (membership, beacon);
    }
}
