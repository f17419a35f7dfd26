using Dokkaa.Core.Etcd;
using Etcdserverpb;
using Grpc.Core;

namespace Dokkaa.Etcd;

/// <summary>
/// <see cref="IEtcdClient"/> over etcd's gRPC API, with the protocol types and service stubs of dotnet-etcd.
/// Its EtcdClient class is not used: it spreads calls round-robin over all members, retries Unavailable
/// (writes too) by itself, re-registers broken watches after a fixed 5 s, hides compaction from watchers
/// and writes diagnostics to stderr. Here one channel per member and <see cref="EtcdCaller"/> decide instead.
/// Thread-safe; create one per process (through <see cref="EtcdClients"/>) and share it.
/// </summary>
public sealed class GrpcEtcdClient : IEtcdClient
{
    private const int GrpcNotFound = 5;

    private readonly EtcdCaller _caller;

    /// <param name="wrap">For tests: puts a handler in front of each member's HTTP handler (to record or break calls).</param>
    internal GrpcEtcdClient(EtcdClientOptions options, Func<HttpMessageHandler, HttpMessageHandler>? wrap = null) => _caller = new EtcdCaller(options, wrap);

    public EtcdClientOptions Options => _caller.Options;

    /// <summary>The member the next request goes to first: the one that answered last.</summary>
    public Uri CurrentEndpoint => _caller.Endpoints[_caller.PreferredIndex].Uri;

    /// <summary>
    /// What the member the client talks to says of itself: its id, the leader it follows and the raft term.
    /// For tools that ask each member in turn (`dokkaa dev etcd`), with a client made for that one member
    /// (<see cref="EtcdClientOptions.ForMember"/>) and <see cref="EtcdClientOptions.RequireLeader"/> off, so
    /// that a member without a leader still answers.
    /// </summary>
    public Task<EtcdMemberStatus> MemberStatusAsync(CancellationToken cancellationToken = default) =>
        _caller.CallAsync(
            "status",
            async (endpoint, options) =>
            {
                var status = await endpoint.Maintenance.StatusAsync(new StatusRequest(), options).ConfigureAwait(false);
                return new EtcdMemberStatus(status.Header.MemberId, status.Leader == 0 ? null : status.Leader, status.RaftTerm);
            },
            retryIfMaybeApplied: true,
            cancellationToken);

    public Task<RangeResult> RangeAsync(string key, bool prefix = false, long revision = 0, CancellationToken cancellationToken = default) =>
        _caller.CallAsync(
            "range",
            async (endpoint, options) => EtcdProto.RangeResult(await endpoint.Kv.RangeAsync(EtcdProto.Range(key, prefix, revision), options).ConfigureAwait(false)),
            retryIfMaybeApplied: true,
            cancellationToken);

    public Task<long> PutAsync(string key, string value, long leaseId = 0, CancellationToken cancellationToken = default) =>
        _caller.CallAsync(
            "put",
            async (endpoint, options) => (await endpoint.Kv.PutAsync(EtcdProto.Put(key, value, leaseId), options).ConfigureAwait(false)).Header.Revision,
            retryIfMaybeApplied: false,
            cancellationToken);

    public Task<long> DeleteAsync(string key, bool prefix = false, CancellationToken cancellationToken = default) =>
        _caller.CallAsync(
            "delete",
            async (endpoint, options) => (await endpoint.Kv.DeleteRangeAsync(EtcdProto.Delete(key, prefix), options).ConfigureAwait(false)).Deleted,
            retryIfMaybeApplied: false,
            cancellationToken);

    public Task<TxnResult> TxnAsync(Core.Etcd.TxnRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var txn = EtcdProto.Txn(request);
        return _caller.CallAsync(
            "txn",
            async (endpoint, options) => EtcdProto.TxnResult(await endpoint.Kv.TxnAsync(txn, options).ConfigureAwait(false)),
            EtcdProto.IsReadOnly(request),
            cancellationToken);
    }

    public Task<Core.Etcd.Lease> LeaseGrantAsync(long ttlSeconds, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ttlSeconds, 1);
        // A grant repeated after an unclear failure only leaves an unused lease behind, which expires.
        return _caller.CallAsync(
            "lease grant",
            async (endpoint, options) =>
            {
                var response = await endpoint.Lease.LeaseGrantAsync(new LeaseGrantRequest { TTL = ttlSeconds }, options).ConfigureAwait(false);
                if (!string.IsNullOrEmpty(response.Error))
                    throw new EtcdException($"etcd at {endpoint.Uri} refused the lease: {response.Error}");
                return new Core.Etcd.Lease(response.ID, response.TTL);
            },
            retryIfMaybeApplied: true,
            cancellationToken);
    }

    public Task<long> LeaseKeepAliveAsync(long leaseId, CancellationToken cancellationToken = default) =>
        // Keepalive is a stream: one request in, one answer out. An expired or unknown lease is answered with TTL 0 (or less).
        _caller.CallAsync(
            "lease keepalive",
            async (endpoint, options) =>
            {
                using var stream = endpoint.Lease.LeaseKeepAlive(options);
                await stream.RequestStream.WriteAsync(new LeaseKeepAliveRequest { ID = leaseId }, options.CancellationToken).ConfigureAwait(false);
                await stream.RequestStream.CompleteAsync().ConfigureAwait(false);
                if (!await stream.ResponseStream.MoveNext(options.CancellationToken).ConfigureAwait(false))
                    throw new RpcException(new Status(StatusCode.Unavailable, "the keepalive stream ended without an answer"));
                return Math.Max(0, stream.ResponseStream.Current.TTL);
            },
            retryIfMaybeApplied: true,
            cancellationToken);

    public Task<LeaseTimeToLive?> LeaseTimeToLiveAsync(long leaseId, CancellationToken cancellationToken = default) =>
        // A read: safe to send again. etcd answers an unknown or expired lease with TTL -1, not an error.
        _caller.CallAsync(
            "lease time-to-live",
            async (endpoint, options) =>
            {
                var answer = await endpoint.Lease.LeaseTimeToLiveAsync(new LeaseTimeToLiveRequest { ID = leaseId }, options).ConfigureAwait(false);
                return answer.TTL < 0 || answer.GrantedTTL <= 0 ? null : new LeaseTimeToLive(answer.TTL, answer.GrantedTTL);
            },
            retryIfMaybeApplied: true,
            cancellationToken);

    public async Task LeaseRevokeAsync(long leaseId, CancellationToken cancellationToken = default)
    {
        try
        {
            await _caller.CallAsync(
                "lease revoke",
                async (endpoint, options) => await endpoint.Lease.LeaseRevokeAsync(new LeaseRevokeRequest { ID = leaseId }, options).ConfigureAwait(false),
                retryIfMaybeApplied: true,
                cancellationToken).ConfigureAwait(false);
        }
        catch (EtcdException e) when (e.GrpcCode == GrpcNotFound)
        {
            // "requested lease not found": already expired or revoked, which is what the caller wanted.
        }
    }

    public IAsyncEnumerable<WatchEvent> WatchAsync(string key, bool prefix, long startRevision, CancellationToken cancellationToken = default) =>
        GrpcWatch.RunAsync(_caller, ct => RevisionAsync(EtcdProto.Range(key, prefix), ct), key, prefix, startRevision, cancellationToken);

    /// <summary>
    /// Compacts the history up to <paramref name="revision"/>: older revisions can no longer be read or
    /// watched from. <paramref name="physical"/> waits until the space is actually reclaimed.
    /// </summary>
    public Task CompactAsync(long revision, bool physical = false, CancellationToken cancellationToken = default) =>
        _caller.CallAsync(
            "compaction",
            async (endpoint, options) => await endpoint.Kv.CompactAsync(new CompactionRequest { Revision = revision, Physical = physical }, options).ConfigureAwait(false),
            retryIfMaybeApplied: true,
            cancellationToken);

    /// <summary>The store's current revision, read cheaply (count only, so no values travel).</summary>
    public Task<long> CurrentRevisionAsync(CancellationToken cancellationToken = default) =>
        RevisionAsync(new RangeRequest { Key = Google.Protobuf.ByteString.CopyFrom(0) }, cancellationToken);

    /// <summary>
    /// The store's revision, read through a count-only range of <paramref name="range"/>: a watch asks on its own
    /// keys, which a user allowed to watch them may also read (with auth on, reading "\0" needs wider rights).
    /// </summary>
    private Task<long> RevisionAsync(RangeRequest range, CancellationToken cancellationToken)
    {
        range.CountOnly = true;
        range.Limit = 1;
        return _caller.CallAsync(
            "range",
            async (endpoint, options) => (await endpoint.Kv.RangeAsync(range, options).ConfigureAwait(false)).Header.Revision,
            retryIfMaybeApplied: true,
            cancellationToken);
    }

    public void Dispose() => _caller.Dispose();
}
