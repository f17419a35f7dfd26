using Dokkaa.Core.Etcd;
using Dokkaa.Testing;
using Dokkaa.Testing.Etcd;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Dokkaa.Core.Tests.Etcd;

/// <summary>What only the in-memory etcd has: its clock, latency, counters, history limit, and how it holds up under concurrency.</summary>
public sealed class InMemoryEtcdTests
{
    private readonly FakeTimeProvider _clock = new();

    [Fact]
    public async Task An_empty_store_is_at_revision_1_and_each_write_adds_one()
    {
        using var etcd = new InMemoryEtcd(_clock);
        Assert.Equal(1, etcd.Revision);

        Assert.Equal(2, await etcd.PutAsync("/a", "1"));
        Assert.Equal(2, (await etcd.TxnAsync(new TxnRequest([], [new TxnOp.Range("/a")]))).Revision);
        await etcd.DeleteAsync("/nothing");
        Assert.Equal(3, await etcd.PutAsync("/b", "2"));
        Assert.Equal(3, etcd.Revision);
    }

    [Fact]
    public async Task Leases_expire_on_the_injected_clock_without_anyone_calling()
    {
        using var etcd = new InMemoryEtcd(_clock);
        var lease = await etcd.LeaseGrantAsync(10);
        await etcd.PutAsync("/owned", "v", lease.Id);

        _clock.Advance(TimeSpan.FromSeconds(9));
        Assert.Equal(1, etcd.KeyCount);
        Assert.Equal(10, await etcd.LeaseKeepAliveAsync(lease.Id));
        _clock.Advance(TimeSpan.FromSeconds(9.9));
        Assert.Equal(1, etcd.KeyCount);
        _clock.Advance(TimeSpan.FromSeconds(0.1));

        // The expiry timer ran inside Advance: no call to the store was needed.
        Assert.Equal(0, etcd.KeyCount);
        Assert.Equal(0, etcd.LeaseCount);
    }

    [Fact]
    public async Task Latency_is_taken_on_the_clock_and_every_call_is_counted()
    {
        using var etcd = new InMemoryEtcd(new InMemoryEtcdOptions { TimeProvider = _clock, Latency = () => TimeSpan.FromMilliseconds(5) });

        var put = etcd.PutAsync("/k", "v");
        Assert.False(put.IsCompleted);
        _clock.Advance(TimeSpan.FromMilliseconds(5));
        await put.WaitAsync(TimeSpan.FromSeconds(10));

        var range = etcd.RangeAsync("/k");
        _clock.Advance(TimeSpan.FromMilliseconds(5));
        await range.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(new InMemoryEtcdCounters(1, 1, 0, 0, 0, 0, 0, 0), etcd.Counters);
        Assert.Equal(2, etcd.OperationCount);
        etcd.ResetCounters();
        Assert.Equal(0, etcd.OperationCount);
    }

    [Fact]
    public async Task Concurrent_compare_and_swap_increments_lose_nothing()
    {
        using var etcd = new InMemoryEtcd();
        await etcd.PutAsync("/counter", "0");

        async Task IncrementAsync(int times)
        {
            for (var done = 0; done < times;)
            {
                var kv = (await etcd.RangeAsync("/counter")).Kvs[0];
                var next = (int.Parse(kv.Value) + 1).ToString();
                if ((await etcd.TxnAsync(new TxnRequest([Compare.ModifiedAt(kv.Key, kv.ModRevision)], [new TxnOp.Put(kv.Key, next)]))).Succeeded)
                    done++;
            }
        }

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => IncrementAsync(250))));

        var final = (await etcd.RangeAsync("/counter")).Kvs[0];
        Assert.Equal("2000", final.Value);
        Assert.Equal(2001, final.Version);
    }

    [Fact]
    public async Task Concurrent_writers_and_watchers_agree_on_one_order()
    {
        using var etcd = new InMemoryEtcd();
        var watches = Enumerable.Range(0, 4).Select(_ => new WatchRecorder(etcd, "/w/", prefix: true, startRevision: 2)).ToList();

        await Task.WhenAll(Enumerable.Range(0, 4).Select(writer => Task.Run(async () =>
        {
            for (var i = 0; i < 250; i++)
                await etcd.PutAsync($"/w/{writer}/{i}", "v");
        })));

        foreach (var watch in watches)
        {
            var events = await watch.WaitForAsync(1000);
            Assert.Equal(Enumerable.Range(2, 1000).Select(r => (long)r), events.Select(e => e.Kv.ModRevision));
            await watch.DisposeAsync();
        }

        Assert.Equal(0, etcd.WatchCount);
    }

    [Fact]
    public async Task The_history_limit_compacts_old_revisions_automatically()
    {
        using var etcd = new InMemoryEtcd(new InMemoryEtcdOptions { HistoryLimit = 10 });
        for (var i = 0; i < 100; i++)
            await etcd.PutAsync("/k", i.ToString());

        Assert.InRange(etcd.CompactRevision, etcd.Revision - 20, etcd.Revision - 10);
        await using var old = new WatchRecorder(etcd, "/k", prefix: false, startRevision: 2);
        Assert.IsType<EtcdCompactedException>(await old.WaitForErrorAsync());
        await using var recent = new WatchRecorder(etcd, "/k", prefix: false, startRevision: etcd.Revision - 9);
        Assert.Equal(10, (await recent.WaitForAsync(10)).Count);
    }

    [Fact]
    public async Task Disposing_the_store_ends_open_watches()
    {
        var etcd = new InMemoryEtcd();
        await using var watch = new WatchRecorder(etcd, "/", prefix: true, startRevision: 0);
        await Poll.UntilAsync(() => etcd.WatchCount == 1, "the watch to register");

        etcd.Dispose();

        Assert.IsType<ObjectDisposedException>(await watch.WaitForErrorAsync());
        await Assert.ThrowsAsync<ObjectDisposedException>(() => etcd.RangeAsync("/"));
    }
}
