using System.Collections.Concurrent;
using System.Diagnostics;
using Dokkaa.Core.Etcd;
using Dokkaa.Etcd;
using Dokkaa.Testing;
using Xunit;

namespace Dokkaa.Core.Tests.Etcd;

/// <summary>Watch streams that break or go quiet, in front of a real etcd.</summary>
public sealed class EtcdWatchResilienceTests(EtcdFixture etcd) : IClassFixture<EtcdFixture>
{
    private readonly string _p = $"/resilience/{Guid.NewGuid():N}/";

    [Fact]
    public async Task Streams_cut_mid_message_are_resumed_after_the_last_whole_message()
    {
        // Each of the first three connections delivers "created" and one event message, then part of the next.
        var faults = new StreamFaults { CutConnections = 3, MessagesBeforeCut = 2 };
        var options = new EtcdClientOptions([etcd.ClientUrl]) { WatchReconnectDelay = TimeSpan.FromMilliseconds(10) };
        using var watcher = new GrpcEtcdClient(options, faults.Wrap);
        using var writer = etcd.CreateClient();
        var start = await writer.PutAsync(_p + "00", "0");
        await using var watch = new WatchRecorder(watcher, _p, prefix: true, start);

        for (var i = 1; i < 12; i++)
        {
            await writer.PutAsync($"{_p}{i:00}", i.ToString());
            // One write per message: wait until it is seen, so each cut lands on a known message boundary.
            await watch.WaitForAsync(i + 1);
        }

        Assert.Equal(Enumerable.Range(0, 12).Select(i => $"{_p}{i:00}"), watch.Events.Select(e => e.Kv.Key));
        Assert.True(faults.WatchRequests >= 4, $"expected reconnects, saw {faults.WatchRequests} watch requests");
    }

    [Fact]
    public async Task History_cut_before_its_message_is_complete_is_requested_again_whole()
    {
        using var writer = etcd.CreateClient();
        var start = await writer.PutAsync(_p + "h/00", "0");
        for (var i = 1; i < 30; i++)
            await writer.PutAsync($"{_p}h/{i:00}", i.ToString());
        // etcd sends the whole history in one message; cutting it twice must not deliver half of it.
        var faults = new StreamFaults { CutConnections = 2, MessagesBeforeCut = 1 };
        using var watcher = new GrpcEtcdClient(new EtcdClientOptions([etcd.ClientUrl]) { WatchReconnectDelay = TimeSpan.FromMilliseconds(10) }, faults.Wrap);

        await using var watch = new WatchRecorder(watcher, _p + "h/", prefix: true, start);
        await watch.WaitForAsync(30);

        Assert.Equal(Enumerable.Range(0, 30).Select(i => $"{_p}h/{i:00}"), watch.Events.Select(e => e.Kv.Key));
        Assert.Equal(3, faults.WatchRequests);
    }

    [Fact]
    public async Task A_silent_stream_is_abandoned_after_the_idle_timeout()
    {
        var diagnostics = new ConcurrentQueue<string>();
        var faults = new StreamFaults { SilentConnections = 1 };
        var options = new EtcdClientOptions([etcd.ClientUrl])
        {
            WatchIdleTimeout = TimeSpan.FromSeconds(1),
            WatchReconnectDelay = TimeSpan.FromMilliseconds(10),
            Diagnostics = diagnostics.Enqueue,
        };
        using var watcher = new GrpcEtcdClient(options, faults.Wrap);
        using var writer = etcd.CreateClient();
        var start = await writer.PutAsync(_p + "quiet", "written before the watch");

        await using var watch = new WatchRecorder(watcher, _p + "quiet", prefix: false, start);

        Assert.Equal("written before the watch", (await watch.WaitForAsync(1))[0].Kv.Value);
        Assert.Equal(2, faults.WatchRequests);
        Assert.Contains(diagnostics, line => line.Contains("nothing received", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Progress_notifications_keep_an_idle_watch_from_timing_out()
    {
        // Its own etcd, with progress notifications well inside the client's idle timeout.
        using var quick = await EtcdServer.StartAsync(new EtcdServerOptions { ProgressNotifyInterval = TimeSpan.FromMilliseconds(300) });
        var diagnostics = new ConcurrentQueue<string>();
        using var watcher = quick.CreateClient(o => o with { WatchIdleTimeout = TimeSpan.FromSeconds(1), Diagnostics = diagnostics.Enqueue });
        await using var watch = new WatchRecorder(watcher, _p + "idle", prefix: false, startRevision: 0);

        // Three idle timeouts without a single event: only progress notifications keep the stream alive.
        var quiet = Stopwatch.StartNew();
        await Poll.UntilAsync(() => quiet.Elapsed > TimeSpan.FromSeconds(3) || !diagnostics.IsEmpty, "three idle seconds");
        Assert.Empty(diagnostics);

        await watcher.PutAsync(_p + "idle", "still listening");
        Assert.Equal("still listening", (await watch.WaitForAsync(1))[0].Kv.Value);
    }
}
