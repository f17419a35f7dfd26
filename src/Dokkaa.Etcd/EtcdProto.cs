using Dokkaa.Core.Etcd;
using Etcdserverpb;
using Google.Protobuf;

namespace Dokkaa.Etcd;

/// <summary>Turns Dokkaa's etcd models into etcd's protobuf messages (from dotnet-etcd) and back.</summary>
internal static class EtcdProto
{
    public static ByteString Bytes(string text) => ByteString.CopyFromUtf8(text);

    public static RangeRequest Range(string key, bool prefix, long revision = 0)
    {
        var request = new RangeRequest { Key = ByteString.CopyFrom(EtcdKeys.RangeStart(key, prefix)), Revision = revision };
        if (prefix)
            request.RangeEnd = ByteString.CopyFrom(EtcdKeys.PrefixRangeEnd(EtcdKeys.ToBytes(key)));
        return request;
    }

    public static DeleteRangeRequest Delete(string key, bool prefix)
    {
        var request = new DeleteRangeRequest { Key = ByteString.CopyFrom(EtcdKeys.RangeStart(key, prefix)) };
        if (prefix)
            request.RangeEnd = ByteString.CopyFrom(EtcdKeys.PrefixRangeEnd(EtcdKeys.ToBytes(key)));
        return request;
    }

    public static PutRequest Put(string key, string value, long leaseId) => new() { Key = Bytes(key), Value = Bytes(value), Lease = leaseId };

    public static KeyValue KeyValue(Mvccpb.KeyValue kv) =>
        new(kv.Key.ToStringUtf8(), kv.Value.ToStringUtf8(), kv.CreateRevision, kv.ModRevision, kv.Version, kv.Lease);

    public static RangeResult RangeResult(RangeResponse response) =>
        new(response.Header?.Revision ?? 0, response.Kvs.Select(KeyValue).ToArray());

    public static Etcdserverpb.TxnRequest Txn(Core.Etcd.TxnRequest request)
    {
        var txn = new Etcdserverpb.TxnRequest();
        txn.Compare.AddRange(request.Compares.Select(Compare));
        txn.Success.AddRange(request.Success.Select(Op));
        if (request.Failure is not null)
            txn.Failure.AddRange(request.Failure.Select(Op));
        return txn;
    }

    public static TxnResult TxnResult(TxnResponse response) => new(
        response.Succeeded,
        response.Header?.Revision ?? 0,
        response.Responses.Where(r => r.ResponseCase == ResponseOp.ResponseOneofCase.ResponseRange).Select(r => RangeResult(r.ResponseRange)).ToArray());

    /// <summary>A transaction of ranges only changes nothing, so it may be resent after an unclear failure.</summary>
    public static bool IsReadOnly(Core.Etcd.TxnRequest request) =>
        request.Success.All(op => op is TxnOp.Range) && (request.Failure ?? []).All(op => op is TxnOp.Range);

    private static RequestOp Op(TxnOp op) => op switch
    {
        TxnOp.Put put => new RequestOp { RequestPut = Put(put.Key, put.Value, put.LeaseId) },
        TxnOp.Delete delete => new RequestOp { RequestDeleteRange = Delete(delete.Key, delete.Prefix) },
        TxnOp.Range range => new RequestOp { RequestRange = Range(range.Key, range.Prefix) },
        _ => throw new ArgumentException($"Unknown transaction operation {op.GetType().Name}.", nameof(op)),
    };

    private static Etcdserverpb.Compare Compare(Core.Etcd.Compare compare)
    {
        var proto = new Etcdserverpb.Compare
        {
            Key = Bytes(compare.Key),
            Result = compare.Result switch
            {
                CompareResult.Equal => Etcdserverpb.Compare.Types.CompareResult.Equal,
                CompareResult.Greater => Etcdserverpb.Compare.Types.CompareResult.Greater,
                CompareResult.Less => Etcdserverpb.Compare.Types.CompareResult.Less,
                CompareResult.NotEqual => Etcdserverpb.Compare.Types.CompareResult.NotEqual,
                _ => throw new ArgumentException($"Unknown compare result {compare.Result}.", nameof(compare)),
            },
        };
        switch (compare.Target)
        {
            case CompareTarget.Version:
                proto.Target = Etcdserverpb.Compare.Types.CompareTarget.Version;
                proto.Version = compare.Number;
                break;
            case CompareTarget.CreateRevision:
                proto.Target = Etcdserverpb.Compare.Types.CompareTarget.Create;
                proto.CreateRevision = compare.Number;
                break;
            case CompareTarget.ModRevision:
                proto.Target = Etcdserverpb.Compare.Types.CompareTarget.Mod;
                proto.ModRevision = compare.Number;
                break;
            case CompareTarget.Value:
                proto.Target = Etcdserverpb.Compare.Types.CompareTarget.Value;
                proto.Value = Bytes(compare.Value ?? "");
                break;
            case CompareTarget.Lease:
                proto.Target = Etcdserverpb.Compare.Types.CompareTarget.Lease;
                proto.Lease = compare.Number;
                break;
            default:
                throw new ArgumentException($"Unknown compare target {compare.Target}.", nameof(compare));
        }

        return proto;
    }
}
