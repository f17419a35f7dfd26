using Dokkaa.Core.Etcd;
using Dokkaa.Testing;
using Dokkaa.Testing.Etcd;
using Xunit;

namespace Dokkaa.Core.Tests.Etcd;

/// <summary>
/// What every <see cref="IEtcdClient"/> must do, run against real etcd and against <see cref="InMemoryEtcd"/>,
/// so that the in-memory one can stand in for etcd in the tests of the layers above. Each test writes under
/// its own prefix, so tests can share one etcd.
/// </summary>
public abstract class EtcdContractTests
{
    /// <summary>A fresh prefix per test (xUnit makes a new instance for each test).</summary>
    protected readonly string P = $"/contract/{Guid.NewGuid():N}/";

    protected abstract IEtcdClient Client { get; }

    /// <summary>Lets <paramref name="span"/> of lease time pass: the wall clock for etcd, the manual clock in memory.</summary>
    protected abstract Task PassTimeAsync(TimeSpan span);

    protected abstract Task CompactAsync(long revision);

    [Fact]
    public async Task Put_then_range_returns_the_value_with_its_revisions()
    {
        var first = await Client.PutAsync(P + "k", "v1");
        var second = await Client.PutAsync(P + "k", "v2");

        var read = await Client.RangeAsync(P + "k");

        Assert.True(second > first);
        Assert.Equal(second, read.Revision);
        var kv = Assert.Single(read.Kvs);
        Assert.Equal(new KeyValue(P + "k", "v2", first, second, 2, 0), kv);
    }

    [Fact]
    public async Task Range_of_a_missing_key_is_empty_and_reports_the_revision()
    {
        var revision = await Client.PutAsync(P + "other", "x");

        var read = await Client.RangeAsync(P + "missing");

        Assert.Empty(read.Kvs);
        Assert.True(read.Revision >= revision);
    }

    [Fact]
    public async Task Empty_and_non_ascii_values_round_trip()
    {
        // The gateway leaves an empty value out of its JSON altogether.
        await Client.PutAsync(P + "empty", "");
        await Client.PutAsync(P + "ünïcødé/🚀", "wert ✓ 🚀");

        Assert.Equal("", Assert.Single((await Client.RangeAsync(P + "empty")).Kvs).Value);
        var kv = Assert.Single((await Client.RangeAsync(P + "ünïcødé/🚀")).Kvs);
        Assert.Equal(("wert ✓ 🚀", P + "ünïcødé/🚀"), (kv.Value, kv.Key));
    }

    [Fact]
    public async Task Prefix_range_returns_exactly_the_keys_under_the_prefix_in_key_order()
    {
        await Client.PutAsync(P + "app/b", "2");
        await Client.PutAsync(P + "app/a", "1");
        await Client.PutAsync(P + "app/c/deep", "3");
        await Client.PutAsync(P + "app", "not under app/");
        await Client.PutAsync(P + "app0", "after app/ in byte order");
        await Client.PutAsync(P + "apo", "before");

        var read = await Client.RangeAsync(P + "app/", prefix: true);

        Assert.Equal([P + "app/a", P + "app/b", P + "app/c/deep"], read.Kvs.Select(kv => kv.Key));
        Assert.Equal(["1", "2", "3"], read.Kvs.Select(kv => kv.Value));
    }

    [Fact]
    public async Task Range_at_an_old_revision_sees_the_old_state()
    {
        var before = await Client.PutAsync(P + "k", "old");
        await Client.PutAsync(P + "k", "new");
        await Client.PutAsync(P + "born-later", "x");
        await Client.DeleteAsync(P + "k");

        var then = await Client.RangeAsync(P, prefix: true, revision: before);

        var kv = Assert.Single(then.Kvs);
        Assert.Equal((P + "k", "old", before), (kv.Key, kv.Value, kv.ModRevision));
    }

    [Fact]
    public async Task Delete_removes_one_key_and_reports_how_many()
    {
        await Client.PutAsync(P + "a", "1");
        await Client.PutAsync(P + "ab", "2");

        Assert.Equal(1, await Client.DeleteAsync(P + "a"));
        Assert.Equal(0, await Client.DeleteAsync(P + "a"));
        Assert.Empty((await Client.RangeAsync(P + "a")).Kvs);
        Assert.Single((await Client.RangeAsync(P + "ab")).Kvs);
    }

    [Fact]
    public async Task Prefix_delete_removes_everything_under_the_prefix_and_nothing_else()
    {
        await Client.PutAsync(P + "x/1", "1");
        await Client.PutAsync(P + "x/2/3", "2");
        await Client.PutAsync(P + "x", "stays");
        await Client.PutAsync(P + "y/1", "stays");

        Assert.Equal(2, await Client.DeleteAsync(P + "x/", prefix: true));

        var left = await Client.RangeAsync(P, prefix: true);
        Assert.Equal([P + "x", P + "y/1"], left.Kvs.Select(kv => kv.Key));
    }

    [Fact]
    public async Task Create_if_absent_has_exactly_one_winner_among_concurrent_claimers()
    {
        var key = P + "claim";
        var claims = Enumerable.Range(1, 8).Select(i => Task.Run(() => Client.TxnAsync(new TxnRequest(
            [Compare.Absent(key)],
            [new TxnOp.Put(key, $"host-{i}")],
            [new TxnOp.Range(key)]))));

        var results = await Task.WhenAll(claims);

        var winners = results.Select((r, i) => (r, host: $"host-{i + 1}")).Where(x => x.r.Succeeded).ToList();
        var winner = Assert.Single(winners);
        Assert.Equal(winner.host, Assert.Single((await Client.RangeAsync(key)).Kvs).Value);
        // Every loser was told who owns it, in the same round trip.
        Assert.All(results.Where(r => !r.Succeeded), r => Assert.Equal(winner.host, Assert.Single(Assert.Single(r.Ranges).Kvs).Value));
    }

    [Fact]
    public async Task Compare_mod_revision_guards_an_update_against_a_stale_read()
    {
        var key = P + "cas";
        var read = await Client.PutAsync(key, "1");
        var someoneElse = await Client.PutAsync(key, "2");

        var stale = await Client.TxnAsync(new TxnRequest([Compare.ModifiedAt(key, read)], [new TxnOp.Put(key, "from stale")], [new TxnOp.Range(key)]));
        var fresh = await Client.TxnAsync(new TxnRequest([Compare.ModifiedAt(key, someoneElse)], [new TxnOp.Put(key, "3")]));

        Assert.False(stale.Succeeded);
        Assert.Equal("2", Assert.Single(Assert.Single(stale.Ranges).Kvs).Value);
        Assert.True(fresh.Succeeded);
        Assert.Equal("3", (await Client.RangeAsync(key)).Kvs[0].Value);
    }

    [Fact]
    public async Task Compares_on_value_version_create_revision_and_lease_follow_etcd()
    {
        var key = P + "k";
        var created = await Client.PutAsync(key, "b");
        await Client.PutAsync(key, "b");

        async Task<bool> Holds(Compare compare) => (await Client.TxnAsync(new TxnRequest([compare], []))).Succeeded;

        Assert.True(await Holds(Compare.ValueIs(key, "b")));
        Assert.True(await Holds(new Compare(key, CompareTarget.Value, CompareResult.Greater, Value: "a")));
        Assert.True(await Holds(new Compare(key, CompareTarget.Value, CompareResult.Less, Value: "c")));
        Assert.False(await Holds(new Compare(key, CompareTarget.Value, CompareResult.NotEqual, Value: "b")));
        Assert.True(await Holds(new Compare(key, CompareTarget.Version, CompareResult.Equal, 2)));
        Assert.True(await Holds(new Compare(key, CompareTarget.Version, CompareResult.Greater, 1)));
        Assert.True(await Holds(Compare.CreatedAt(key, created)));
        Assert.False(await Holds(Compare.Absent(key)));
        Assert.True(await Holds(new Compare(key, CompareTarget.Lease, CompareResult.Equal, 0)));
        // A missing key: revisions and version are 0, and a value compare is false whatever it asks.
        Assert.True(await Holds(Compare.Absent(P + "missing")));
        Assert.False(await Holds(new Compare(P + "missing", CompareTarget.Value, CompareResult.NotEqual, Value: "x")));
    }

    [Fact]
    public async Task A_transaction_is_one_revision_and_returns_its_range_results_in_order()
    {
        await Client.PutAsync(P + "r/1", "one");
        await Client.PutAsync(P + "gone", "x");

        var result = await Client.TxnAsync(new TxnRequest(
            [Compare.Absent(P + "new")],
            [
                new TxnOp.Range(P + "r/", Prefix: true),
                new TxnOp.Put(P + "new", "n"),
                new TxnOp.Put(P + "r/2", "two"),
                new TxnOp.Delete(P + "gone"),
                new TxnOp.Range(P + "r/", Prefix: true),
                new TxnOp.Range(P + "gone"),
            ]));

        Assert.True(result.Succeeded);
        Assert.Equal(3, result.Ranges.Count);
        Assert.Equal(["one"], result.Ranges[0].Kvs.Select(kv => kv.Value));
        // Reads later in the transaction see its earlier writes.
        Assert.Equal(["one", "two"], result.Ranges[1].Kvs.Select(kv => kv.Value));
        Assert.Empty(result.Ranges[2].Kvs);
        var written = (await Client.RangeAsync(P, prefix: true)).Kvs.Where(kv => kv.Key != P + "r/1").ToList();
        Assert.All(written, kv => Assert.Equal(result.Revision, kv.ModRevision));
    }

    [Fact]
    public async Task A_transaction_that_writes_one_key_twice_is_refused()
    {
        var error = await Assert.ThrowsAnyAsync<EtcdException>(() => Client.TxnAsync(new TxnRequest(
            [],
            [new TxnOp.Put(P + "k", "1"), new TxnOp.Put(P + "k", "2")])));

        Assert.Contains("duplicate key", error.Message);
        Assert.Empty((await Client.RangeAsync(P + "k")).Kvs);
    }

    [Fact]
    public async Task Put_with_an_unknown_lease_fails_with_etcds_message()
    {
        var error = await Assert.ThrowsAnyAsync<EtcdException>(() => Client.PutAsync(P + "k", "v", leaseId: 0x7123_4567_89ab_cdef));

        Assert.Contains("requested lease not found", error.Message);
        Assert.Equal(5, error.GrpcCode);
    }

    [Fact]
    public async Task Lease_grant_and_keepalive_report_the_ttl()
    {
        var lease = await Client.LeaseGrantAsync(30);

        Assert.NotEqual(0, lease.Id);
        Assert.Equal(30, lease.TtlSeconds);
        Assert.Equal(30, await Client.LeaseKeepAliveAsync(lease.Id));
        await Client.LeaseRevokeAsync(lease.Id);
    }

    [Fact]
    public async Task Time_to_live_reads_what_is_left_without_renewing_and_nothing_once_revoked()
    {
        var lease = await Client.LeaseGrantAsync(30);

        var ttl = await Client.LeaseTimeToLiveAsync(lease.Id);
        Assert.NotNull(ttl);
        Assert.Equal(30, ttl.GrantedSeconds);
        Assert.InRange(ttl.RemainingSeconds, 25, 30);

        await PassTimeAsync(TimeSpan.FromSeconds(2));
        var later = await Client.LeaseTimeToLiveAsync(lease.Id);
        Assert.NotNull(later);
        Assert.True(later.RemainingSeconds < ttl.RemainingSeconds, $"a read renewed the lease: {ttl.RemainingSeconds} s then {later.RemainingSeconds} s");

        await Client.LeaseRevokeAsync(lease.Id);
        Assert.Null(await Client.LeaseTimeToLiveAsync(lease.Id));
        Assert.Null(await Client.LeaseTimeToLiveAsync(lease.Id + 12345));
    }

    [Fact]
    public async Task Keys_of_an_expired_lease_disappear_and_keepalive_then_reports_zero()
    {
        var lease = await Client.LeaseGrantAsync(1);
        await Client.PutAsync(P + "ephemeral", "v", lease.Id);
        await Client.PutAsync(P + "durable", "v");
        Assert.Equal(lease.Id, (await Client.RangeAsync(P + "ephemeral")).Kvs[0].Lease);

        await PassTimeAsync(TimeSpan.FromSeconds(1));
        await Poll.UntilAsync(async () => (await Client.RangeAsync(P + "ephemeral")).Kvs.Count == 0, "the leased key to go");

        Assert.Equal(0, await Client.LeaseKeepAliveAsync(lease.Id));
        Assert.Single((await Client.RangeAsync(P + "durable")).Kvs);
    }

    [Fact]
    public async Task Keepalives_keep_a_lease_alive_past_its_ttl()
    {
        var lease = await Client.LeaseGrantAsync(2);
        await Client.PutAsync(P + "k", "v", lease.Id);

        // Four keepalives half a TTL apart: two TTLs in all.
        for (var i = 0; i < 4; i++)
        {
            await PassTimeAsync(TimeSpan.FromSeconds(1));
            Assert.Equal(2, await Client.LeaseKeepAliveAsync(lease.Id));
        }

        Assert.Single((await Client.RangeAsync(P + "k")).Kvs);
        await Client.LeaseRevokeAsync(lease.Id);
    }

    [Fact]
    public async Task Revoke_deletes_the_leases_keys_and_revoking_again_is_fine()
    {
        var lease = await Client.LeaseGrantAsync(60);
        await Client.PutAsync(P + "a", "1", lease.Id);
        await Client.PutAsync(P + "b", "2", lease.Id);

        await Client.LeaseRevokeAsync(lease.Id);
        await Client.LeaseRevokeAsync(lease.Id);

        Assert.Empty((await Client.RangeAsync(P, prefix: true)).Kvs);
        Assert.Equal(0, await Client.LeaseKeepAliveAsync(lease.Id));
    }

    [Fact]
    public async Task Moving_a_key_to_another_lease_detaches_it_from_the_first()
    {
        var first = await Client.LeaseGrantAsync(60);
        var second = await Client.LeaseGrantAsync(60);
        await Client.PutAsync(P + "k", "v", first.Id);
        await Client.PutAsync(P + "k", "v", second.Id);

        await Client.LeaseRevokeAsync(first.Id);

        Assert.Equal(second.Id, Assert.Single((await Client.RangeAsync(P + "k")).Kvs).Lease);
        await Client.LeaseRevokeAsync(second.Id);
    }

    [Fact]
    public async Task A_watch_from_a_past_revision_replays_history_then_follows_live_changes()
    {
        var start = await Client.PutAsync(P + "a", "1");
        await Client.PutAsync(P + "a", "2");
        await Client.DeleteAsync(P + "a");
        await Client.PutAsync(P + "elsewhere-not-watched", "x");
        await using var watch = new WatchRecorder(Client, P + "a", prefix: false, start);

        await watch.WaitForAsync(3);
        var live = await Client.PutAsync(P + "a", "3");
        var events = await watch.WaitForAsync(4);

        Assert.Equal(
            [(WatchEventType.Put, "1", 1L), (WatchEventType.Put, "2", 2L), (WatchEventType.Delete, "", 0L), (WatchEventType.Put, "3", 1L)],
            events.Select(e => (e.Type, e.Kv.Value, e.Kv.Version)));
        Assert.Equal(live, events[3].Kv.ModRevision);
        Assert.Equal(start, events[0].Kv.ModRevision);
        Assert.All(events.Zip(events.Skip(1)), pair => Assert.True(pair.First.Kv.ModRevision < pair.Second.Kv.ModRevision));
    }

    [Fact]
    public async Task A_prefix_watch_from_now_sees_only_new_changes_under_the_prefix()
    {
        await Client.PutAsync(P + "w/old", "before the watch");
        await using var watch = new WatchRecorder(Client, P + "w/", prefix: true, startRevision: 0);
        // The watch is "from now" once it has read the current revision; a write acknowledged after that is seen.
        await Poll.UntilAsync(async () =>
        {
            await Client.PutAsync(P + "w/probe", "p");
            return watch.Events.Count > 0;
        }, "the watch to start");

        await Client.PutAsync(P + "w/new", "1");
        await Client.PutAsync(P + "w", "outside the prefix");
        await Client.DeleteAsync(P + "w/new");
        await Poll.UntilAsync(() => watch.Events.Count(e => e.Kv.Key == P + "w/new") == 2, "both changes of w/new");
        var events = watch.Events.Where(e => e.Kv.Key != P + "w/probe").ToList();

        Assert.DoesNotContain(watch.Events, e => e.Kv.Key == P + "w/old" || e.Kv.Key == P + "w");
        Assert.Equal([(WatchEventType.Put, P + "w/new"), (WatchEventType.Delete, P + "w/new")], events.Select(e => (e.Type, e.Kv.Key)));
    }

    [Fact]
    public async Task A_transaction_shows_up_in_a_watch_as_events_of_one_revision()
    {
        var start = await Client.PutAsync(P + "marker", "m");
        await using var watch = new WatchRecorder(Client, P + "t/", prefix: true, start);

        var txn = await Client.TxnAsync(new TxnRequest([], [new TxnOp.Put(P + "t/1", "a"), new TxnOp.Put(P + "t/2", "b"), new TxnOp.Delete(P + "t/none")]));
        var events = await watch.WaitForAsync(2);

        Assert.Equal([P + "t/1", P + "t/2"], events.Select(e => e.Kv.Key));
        Assert.All(events, e => Assert.Equal(txn.Revision, e.Kv.ModRevision));
    }

    [Fact]
    public async Task A_watch_sees_the_delete_when_a_lease_expires()
    {
        var lease = await Client.LeaseGrantAsync(1);
        var put = await Client.PutAsync(P + "owned", "v", lease.Id);
        await using var watch = new WatchRecorder(Client, P, prefix: true, put);
        await watch.WaitForAsync(1);

        await PassTimeAsync(TimeSpan.FromSeconds(1));
        var events = await watch.WaitForAsync(2);

        Assert.Equal(WatchEventType.Delete, events[1].Type);
        Assert.Equal(P + "owned", events[1].Kv.Key);
    }

    [Fact]
    public async Task A_watch_from_a_compacted_revision_fails_with_EtcdCompactedException()
    {
        var old = await Client.PutAsync(P + "k", "1");
        await Client.PutAsync(P + "k", "2");
        var compactAt = await Client.PutAsync(P + "k", "3");
        await CompactAsync(compactAt);

        var watch = new WatchRecorder(Client, P + "k", prefix: false, old);
        await using (watch)
        {
            var error = Assert.IsType<EtcdCompactedException>(await watch.WaitForErrorAsync());
            Assert.Equal(old, error.RequestedRevision);
            Assert.True(error.CompactRevision >= compactAt);
        }

        // At the compaction revision itself the history is still there.
        await using var atCompaction = new WatchRecorder(Client, P + "k", prefix: false, compactAt);
        Assert.Equal("3", (await atCompaction.WaitForAsync(1))[0].Kv.Value);
        await Assert.ThrowsAnyAsync<EtcdException>(() => Client.RangeAsync(P + "k", revision: old));
    }
}
