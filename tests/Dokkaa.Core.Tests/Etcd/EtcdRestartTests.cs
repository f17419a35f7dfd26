using System.Collections.Concurrent;
using Dokkaa.Core.Etcd;
using Dokkaa.Testing;
using Xunit;

namespace Dokkaa.Core.Tests.Etcd;

/// <summary>etcd going away and coming back (same data directory): its own etcd, because these tests kill it.</summary>
public sealed class EtcdRestartTests(EtcdFixture etcd) : IClassFixture<EtcdFixture>
{
    [Fact]
    public async Task A_watch_resumes_after_an_etcd_restart_without_losing_or_repeating_events()
    {
        var diagnostics = new ConcurrentQueue<string>();
        // A reconnect pause of a second leaves room for writes to land while the watch is disconnected.
        using var watcher = etcd.CreateClient(o => o with
        {
            WatchReconnectDelay = TimeSpan.FromSeconds(1),
            Diagnostics = diagnostics.Enqueue,
        });
        using var writer = etcd.CreateClient();
        var p = $"/restart/{Guid.NewGuid():N}/";
        var start = await writer.PutAsync(p + "00", "before");
        await using var watch = new WatchRecorder(watcher, p, prefix: true, start);
        await writer.PutAsync(p + "01", "v");
        await watch.WaitForAsync(2);

        await etcd.Server.RestartAsync();
        for (var i = 2; i < 8; i++)
            await writer.PutAsync($"{p}{i:00}", "written while the watch was away");
        var events = await watch.WaitForAsync(8);

        Assert.Equal(Enumerable.Range(0, 8).Select(i => $"{p}{i:00}"), events.Select(e => e.Kv.Key));
        Assert.Contains(diagnostics, line => line.Contains("broke", StringComparison.Ordinal));
        // Nothing more trickles in later (a duplicate would show up here).
        await writer.PutAsync(p + "99", "last");
        Assert.Equal(9, (await watch.WaitForAsync(9)).Count);
        Assert.Equal(9, watch.Events.Count);
    }

    [Fact]
    public async Task Requests_fail_while_etcd_is_down_and_work_again_after_it_is_back()
    {
        using var client = etcd.CreateClient(o => o with { RequestTimeout = TimeSpan.FromSeconds(2) });
        var key = $"/restart/{Guid.NewGuid():N}";
        await client.PutAsync(key, "kept");

        await etcd.Server.StopAsync();
        var error = await Assert.ThrowsAnyAsync<EtcdException>(() => client.RangeAsync(key));
        Assert.Contains(etcd.ClientUrl.ToString().TrimEnd('/'), error.Message);
        await etcd.Server.StartAgainAsync();

        Assert.Equal("kept", (await client.RangeAsync(key)).Kvs[0].Value);
    }

    [Fact]
    public async Task Leased_keys_survive_a_quick_restart_and_the_lease_keeps_working()
    {
        using var client = etcd.CreateClient();
        var key = $"/restart/{Guid.NewGuid():N}";
        var lease = await client.LeaseGrantAsync(30);
        await client.PutAsync(key, "v", lease.Id);

        await etcd.Server.RestartAsync();

        Assert.True(await client.LeaseKeepAliveAsync(lease.Id) > 0);
        Assert.Equal(lease.Id, (await client.RangeAsync(key)).Kvs[0].Lease);
        await client.LeaseRevokeAsync(lease.Id);
    }
}
