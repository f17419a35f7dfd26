using Dokkaa.Core.Cluster;
using Dokkaa.Core.Etcd;
using Dokkaa.Etcd;
using Dokkaa.Testing;
using Xunit;

namespace Dokkaa.Cli.Tests.Support;

/// <summary>
/// One real etcd per test class, plus a client for the tests to look at (and plant records in) what the CLI
/// cannot be trusted to report about itself. Tests in a class run one at a time, so a test may compare the
/// store revision before and after a command to prove that it wrote nothing at all.
/// </summary>
public sealed class EtcdFixture : IAsyncLifetime
{
    public EtcdServer Server { get; private set; } = null!;

    public GrpcEtcdClient Client { get; private set; } = null!;

    public string Endpoint => Server.Endpoint;

    public async Task InitializeAsync()
    {
        Assert.True(File.Exists(RepoPaths.Cli), $"the dokkaa executable is not built at {RepoPaths.Cli}");
        Server = await EtcdServer.StartAsync();
        Client = EtcdClients.Create(Server.Endpoint);
    }

    public async Task DisposeAsync()
    {
        Client?.Dispose();
        if (Server is not null)
            await Server.DisposeAsync();
    }

    /// <summary>The key as stored, or null when it does not exist.</summary>
    public async Task<KeyValue?> GetAsync(string key)
    {
        var range = await Client.RangeAsync(key);
        return range.Kvs.Count == 0 ? null : range.Kvs[0];
    }

    /// <summary>The store revision: it moves on every write, so an unchanged revision means nothing was written.</summary>
    public Task<long> RevisionAsync() => Client.CurrentRevisionAsync();

    /// <summary>
    /// How many reads etcd has served (its etcd_mvcc_range_total metric): lets a test see that a running
    /// CLI has read the store, instead of guessing with a sleep.
    /// </summary>
    public async Task<long> RangeCountAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var metrics = await http.GetStringAsync($"{Endpoint}/metrics");
        var line = metrics.Split('\n').Single(l => l.StartsWith("etcd_mvcc_range_total ", StringComparison.Ordinal));
        return (long)double.Parse(line["etcd_mvcc_range_total ".Length..], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Writes a runtime record as an agent would (without a lease, so it stays until the fixture ends).</summary>
    public Task<long> PutRecordAsync<T>(string key, T record) => Client.PutAsync(key, ClusterJson.Serialize(record));

    /// <summary>Writes a live host's key, under a lease as its agent would (a host key without one is not a host).</summary>
    public async Task<long> PutHostAsync(string host, HostRecord record) =>
        await Client.PutAsync(KeyLayout.Host(host), ClusterJson.Serialize(record), (await Client.LeaseGrantAsync(3600)).Id);
}
