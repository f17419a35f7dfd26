using System.Globalization;
using Dokkaa.Core.Cluster;
using Dokkaa.Core.Etcd;
using Dokkaa.Etcd;
using Xunit;

namespace Dokkaa.Testing;

/// <summary>
/// One real etcd per test class (an xUnit class fixture over <see cref="EtcdServer"/>), with a client for the
/// tests to look at, and plant records in, what the code under test cannot be trusted to report about itself.
/// Tests sharing one keep apart by their own key prefixes, app names and host ids. <see cref="SecureEtcdFixture"/>
/// is the same with TLS, client certificates and auth.
/// </summary>
public class EtcdFixture : IAsyncLifetime
{
    public EtcdServer Server { get; private set; } = null!;

    /// <summary>A client made at start; tests that need other options make their own with <see cref="CreateClient"/>.</summary>
    public GrpcEtcdClient Client { get; private set; } = null!;

    public Uri ClientUrl => Server.ClientUrl;

    public string Endpoint => Server.Endpoint;

    public async Task InitializeAsync()
    {
        Server = await StartServerAsync().ConfigureAwait(false);
        Client = CreateClient();
    }

    public virtual Task DisposeAsync()
    {
        Client?.Dispose();
        Server?.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>A client for this etcd; <paramref name="configure"/> may adjust the options (timeouts, extra endpoints).</summary>
    public virtual GrpcEtcdClient CreateClient(Func<EtcdClientOptions, EtcdClientOptions>? configure = null) => Server.CreateClient(configure);

    /// <summary>Compacts etcd's history up to <paramref name="revision"/> (waits for the physical compaction).</summary>
    public virtual async Task CompactAsync(long revision)
    {
        using var client = CreateClient();
        await client.CompactAsync(revision, physical: true).ConfigureAwait(false);
    }

    /// <summary>The key as stored, or null when it does not exist.</summary>
    public async Task<KeyValue?> GetAsync(string key)
    {
        var range = await Client.RangeAsync(key).ConfigureAwait(false);
        return range.Kvs.Count == 0 ? null : range.Kvs[0];
    }

    /// <summary>The keys under <paramref name="prefix"/>, in etcd's order.</summary>
    public async Task<IReadOnlyList<string>> KeysAsync(string prefix) =>
        (await Client.RangeAsync(prefix, prefix: true).ConfigureAwait(false)).Kvs.Select(kv => kv.Key).ToList();

    /// <summary>The store revision: it moves on every write, so an unchanged revision means nothing was written.</summary>
    public Task<long> RevisionAsync() => Client.CurrentRevisionAsync();

    /// <summary>
    /// How many reads etcd has served (its etcd_mvcc_range_total metric): lets a test see that a running
    /// process has read the store, instead of guessing with a sleep.
    /// </summary>
    public async Task<long> RangeCountAsync()
    {
        const string metric = "etcd_mvcc_range_total ";
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var metrics = await http.GetStringAsync($"{Endpoint}/metrics").ConfigureAwait(false);
        var line = metrics.Split('\n').Single(l => l.StartsWith(metric, StringComparison.Ordinal));
        return (long)double.Parse(line[metric.Length..], CultureInfo.InvariantCulture);
    }

    /// <summary>Writes a record as agents store it (<see cref="ClusterJson"/>), without a lease, so it stays until the fixture ends.</summary>
    public Task<long> PutRecordAsync<T>(string key, T record) => Client.PutAsync(key, ClusterJson.Serialize(record));

    /// <summary>Writes a live host's key, under a lease as its agent would (a host key without one is not a host).</summary>
    public async Task<long> PutHostAsync(string host, HostRecord record) =>
        await Client.PutAsync(KeyLayout.Host(host), ClusterJson.Serialize(record), (await Client.LeaseGrantAsync(3600).ConfigureAwait(false)).Id).ConfigureAwait(false);

    /// <summary>How the member starts: <see cref="SecureEtcdFixture"/> makes certificates first and turns auth on after.</summary>
    protected virtual Task<EtcdServer> StartServerAsync() => EtcdServer.StartAsync();
}
