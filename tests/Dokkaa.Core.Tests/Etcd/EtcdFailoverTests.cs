using System.Net;
using System.Net.Sockets;
using Dokkaa.Core.Etcd;
using Dokkaa.Etcd;
using Dokkaa.Testing;
using Xunit;

namespace Dokkaa.Core.Tests.Etcd;

/// <summary>Several endpoints, some of them dead or hung, in front of one live etcd.</summary>
public sealed class EtcdFailoverTests(EtcdFixture etcd) : IClassFixture<EtcdFixture>
{
    private readonly string _p = $"/failover/{Guid.NewGuid():N}/";

    [Fact]
    public async Task A_dead_first_endpoint_is_passed_over_and_the_live_one_remembered()
    {
        var dead = DeadEndpoint();
        using var client = EtcdClients.Create(new EtcdClientOptions([dead, etcd.ClientUrl]));

        var revision = await client.PutAsync(_p + "k", "v");
        Assert.Equal(etcd.ClientUrl, client.CurrentEndpoint);
        Assert.Equal("v", (await client.RangeAsync(_p + "k")).Kvs[0].Value);
        var claim = await client.TxnAsync(new TxnRequest([Compare.Absent(_p + "c")], [new TxnOp.Put(_p + "c", "me")]));
        Assert.True(claim.Succeeded);

        await using var watch = new WatchRecorder(client, _p, prefix: true, revision);
        Assert.Equal(2, (await watch.WaitForAsync(2)).Count);
    }

    [Fact]
    public async Task A_watch_that_starts_on_a_dead_endpoint_moves_to_the_live_one()
    {
        var dead = DeadEndpoint();
        using var client = EtcdClients.Create(new EtcdClientOptions([dead, etcd.ClientUrl]));
        using var writer = etcd.CreateClient();
        var revision = await writer.PutAsync(_p + "w", "1");

        // The client has not learned yet which endpoint works: the watch must find out by itself.
        await using var watch = new WatchRecorder(client, _p + "w", prefix: false, revision);

        Assert.Equal("1", (await watch.WaitForAsync(1))[0].Kv.Value);
    }

    [Fact]
    public async Task When_no_endpoint_answers_the_error_names_every_endpoint_tried()
    {
        var first = DeadEndpoint();
        var second = DeadEndpoint();
        using var client = EtcdClients.Create(new EtcdClientOptions([first, second]));

        var error = await Assert.ThrowsAsync<EtcdException>(() => client.RangeAsync("/x"));

        Assert.Contains(first.ToString().TrimEnd('/'), error.Message);
        Assert.Contains(second.ToString().TrimEnd('/'), error.Message);
        Assert.Null(error.GrpcCode);
    }

    [Fact]
    public async Task A_hung_endpoint_times_out_reads_move_on_and_writes_report_an_unknown_outcome()
    {
        // Accepts connections and never answers: a frozen member.
        using var hung = new TcpListener(IPAddress.Loopback, 0);
        hung.Start();
        var hungUrl = new Uri($"http://127.0.0.1:{((IPEndPoint)hung.LocalEndpoint).Port}");
        using var client = EtcdClients.Create(new EtcdClientOptions([hungUrl, etcd.ClientUrl]) { RequestTimeout = TimeSpan.FromMilliseconds(500) });

        var write = await Assert.ThrowsAsync<EtcdException>(() => client.PutAsync(_p + "k", "v"));
        Assert.Contains("may or may not have been applied", write.Message);
        // The failed write already moved the client on, so the retry by the caller goes to the live member.
        Assert.Equal(etcd.ClientUrl, client.CurrentEndpoint);
        await client.PutAsync(_p + "k", "v");

        using var readFirst = EtcdClients.Create(new EtcdClientOptions([hungUrl, etcd.ClientUrl]) { RequestTimeout = TimeSpan.FromMilliseconds(500) });
        Assert.Equal("v", (await readFirst.RangeAsync(_p + "k")).Kvs[0].Value);
    }

    /// <summary>A loopback port nobody listens on: connections are refused at once.</summary>
    private static Uri DeadEndpoint()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}");
    }
}
