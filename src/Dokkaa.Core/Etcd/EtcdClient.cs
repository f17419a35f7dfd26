namespace Dokkaa.Core.Etcd;

/// <summary>
/// <see cref="IEtcdClient"/> over etcd's v3 JSON gateway (the HTTP face of its gRPC API, on every
/// member's client URL). Thread-safe; create one per process and share it.
/// </summary>
public sealed class EtcdClient : IEtcdClient
{
    private const int GrpcNotFound = 5;

    private readonly EtcdTransport _transport;

    public EtcdClient(EtcdClientOptions options)
        : this(options, handler: null)
    {
    }

    public EtcdClient(IReadOnlyList<Uri> endpoints)
        : this(new EtcdClientOptions(endpoints))
    {
    }

    /// <summary>For tests: the HTTP handler to send through (the caller keeps ownership of it).</summary>
    internal EtcdClient(EtcdClientOptions options, HttpMessageHandler? handler)
    {
        ArgumentNullException.ThrowIfNull(options);
        _transport = new EtcdTransport(options, handler);
    }

    /// <summary>A client for a comma-separated endpoint list, e.g. "http://a:2379,http://b:2379".</summary>
    public static EtcdClient Parse(string endpoints) => new(EtcdClientOptions.Parse(endpoints));

    public EtcdClientOptions Options => _transport.Options;

    /// <summary>The member the next request goes to first: the one that answered last.</summary>
    public Uri CurrentEndpoint => _transport.Options.Endpoints[_transport.PreferredIndex];

    public async Task<RangeResult> RangeAsync(string key, bool prefix = false, long revision = 0, CancellationToken cancellationToken = default)
    {
        var body = EtcdJson.Build(writer =>
        {
            EtcdJson.WriteRangeFields(writer, key, prefix);
            if (revision > 0)
                EtcdJson.WriteInt64(writer, "revision", revision);
        });
        using var response = await _transport.PostAsync("/v3/kv/range", body, retryIfMaybeApplied: true, cancellationToken).ConfigureAwait(false);
        return EtcdJson.ParseRange(response.RootElement);
    }

    public async Task<long> PutAsync(string key, string value, long leaseId = 0, CancellationToken cancellationToken = default)
    {
        var body = EtcdJson.Build(writer =>
        {
            EtcdJson.WriteString(writer, "key", key);
            EtcdJson.WriteString(writer, "value", value);
            if (leaseId != 0)
                EtcdJson.WriteInt64(writer, "lease", leaseId);
        });
        using var response = await _transport.PostAsync("/v3/kv/put", body, retryIfMaybeApplied: false, cancellationToken).ConfigureAwait(false);
        return EtcdJson.HeaderRevision(response.RootElement);
    }

    public async Task<long> DeleteAsync(string key, bool prefix = false, CancellationToken cancellationToken = default)
    {
        var body = EtcdJson.Build(writer => EtcdJson.WriteRangeFields(writer, key, prefix));
        using var response = await _transport.PostAsync("/v3/kv/deleterange", body, retryIfMaybeApplied: false, cancellationToken).ConfigureAwait(false);
        return EtcdJson.GetInt64(response.RootElement, "deleted");
    }

    public async Task<TxnResult> TxnAsync(TxnRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = EtcdTxnJson.Build(request);
        using var response = await _transport.PostAsync("/v3/kv/txn", body, EtcdTxnJson.IsReadOnly(request), cancellationToken).ConfigureAwait(false);
        return EtcdTxnJson.Parse(response.RootElement);
    }

    public async Task<Lease> LeaseGrantAsync(long ttlSeconds, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ttlSeconds, 1);
        var body = EtcdJson.Build(writer => EtcdJson.WriteInt64(writer, "TTL", ttlSeconds));
        // A grant repeated after an unclear failure only leaves an unused lease behind, which expires.
        using var response = await _transport.PostAsync("/v3/lease/grant", body, retryIfMaybeApplied: true, cancellationToken).ConfigureAwait(false);
        var root = response.RootElement;
        return new Lease(EtcdJson.GetInt64(root, "ID"), EtcdJson.GetInt64(root, "TTL"));
    }

    public async Task<long> LeaseKeepAliveAsync(long leaseId, CancellationToken cancellationToken = default)
    {
        var body = EtcdJson.Build(writer => EtcdJson.WriteInt64(writer, "ID", leaseId));
        // The keepalive endpoint is a stream: one request in, one {"result":{...}} out. An expired or
        // unknown lease is answered without a TTL (0 is the proto default and left out).
        using var response = await _transport.PostAsync("/v3/lease/keepalive", body, retryIfMaybeApplied: true, cancellationToken).ConfigureAwait(false);
        var root = response.RootElement;
        var result = root.TryGetProperty("result", out var inner) ? inner : root;
        return Math.Max(0, EtcdJson.GetInt64(result, "TTL"));
    }

    public async Task LeaseRevokeAsync(long leaseId, CancellationToken cancellationToken = default)
    {
        var body = EtcdJson.Build(writer => EtcdJson.WriteInt64(writer, "ID", leaseId));
        try
        {
            using var response = await _transport.PostAsync("/v3/lease/revoke", body, retryIfMaybeApplied: true, cancellationToken).ConfigureAwait(false);
        }
        catch (EtcdException e) when (e.GrpcCode == GrpcNotFound)
        {
            // "requested lease not found": already expired or revoked, which is what the caller wanted.
        }
    }

    public IAsyncEnumerable<WatchEvent> WatchAsync(string key, bool prefix, long startRevision, CancellationToken cancellationToken = default) =>
        EtcdWatch.RunAsync(_transport, CurrentRevisionAsync, key, prefix, startRevision, cancellationToken);

    /// <summary>
    /// Compacts the history up to <paramref name="revision"/>: older revisions can no longer be read or
    /// watched from. <paramref name="physical"/> waits until the space is actually reclaimed.
    /// </summary>
    public async Task CompactAsync(long revision, bool physical = false, CancellationToken cancellationToken = default)
    {
        var body = EtcdJson.Build(writer =>
        {
            EtcdJson.WriteInt64(writer, "revision", revision);
            if (physical)
                writer.WriteBoolean("physical", true);
        });
        using var response = await _transport.PostAsync("/v3/kv/compaction", body, retryIfMaybeApplied: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The store's current revision, read cheaply (count only, so no values travel).</summary>
    public async Task<long> CurrentRevisionAsync(CancellationToken cancellationToken = default)
    {
        var body = EtcdJson.Build(writer =>
        {
            EtcdJson.WriteBytes(writer, "key", [0]);
            writer.WriteBoolean("count_only", true);
            EtcdJson.WriteInt64(writer, "limit", 1);
        });
        using var response = await _transport.PostAsync("/v3/kv/range", body, retryIfMaybeApplied: true, cancellationToken).ConfigureAwait(false);
        return EtcdJson.HeaderRevision(response.RootElement);
    }

    public void Dispose() => _transport.Dispose();
}
