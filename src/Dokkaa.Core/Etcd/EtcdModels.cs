namespace Dokkaa.Core.Etcd;

/// <summary>A key and its value with etcd's revision metadata.</summary>
public sealed record KeyValue(string Key, string Value, long CreateRevision, long ModRevision, long Version, long Lease);

/// <summary>The keys read and the store revision they were read at.</summary>
public sealed record RangeResult(long Revision, IReadOnlyList<KeyValue> Kvs);

/// <summary>A lease and the TTL etcd granted.</summary>
public sealed record Lease(long Id, long TtlSeconds);

/// <summary>What is left of a lease: <see cref="RemainingSeconds"/> of the <see cref="GrantedSeconds"/> it was granted.</summary>
public sealed record LeaseTimeToLive(long RemainingSeconds, long GrantedSeconds);

public enum WatchEventType { Put, Delete }

/// <summary>One change. <see cref="Kv"/> holds the new value (for a delete: the key and the delete revision as ModRevision).</summary>
public sealed record WatchEvent(WatchEventType Type, KeyValue Kv);

public enum CompareTarget { Version, CreateRevision, ModRevision, Value, Lease }

public enum CompareResult { Equal, Greater, Less, NotEqual }

/// <summary>One condition of a transaction, e.g. "create revision of K equals 0" (K does not exist).</summary>
public sealed record Compare(string Key, CompareTarget Target, CompareResult Result, long Number = 0, string? Value = null)
{
    public static Compare Absent(string key) => new(key, CompareTarget.CreateRevision, CompareResult.Equal, 0);
    public static Compare CreatedAt(string key, long createRevision) => new(key, CompareTarget.CreateRevision, CompareResult.Equal, createRevision);
    public static Compare ModifiedAt(string key, long modRevision) => new(key, CompareTarget.ModRevision, CompareResult.Equal, modRevision);
    public static Compare ValueIs(string key, string value) => new(key, CompareTarget.Value, CompareResult.Equal, Value: value);
}

/// <summary>One operation inside a transaction branch.</summary>
public abstract record TxnOp
{
    public sealed record Put(string Key, string Value, long LeaseId = 0) : TxnOp;
    public sealed record Delete(string Key, bool Prefix = false) : TxnOp;
    public sealed record Range(string Key, bool Prefix = false) : TxnOp;
}

/// <summary>If every compare holds, run <see cref="Success"/>; otherwise run <see cref="Failure"/>.</summary>
public sealed record TxnRequest(IReadOnlyList<Compare> Compares, IReadOnlyList<TxnOp> Success, IReadOnlyList<TxnOp>? Failure = null);

/// <summary>The outcome of a transaction. <see cref="Ranges"/> holds the results of the Range ops of the branch that ran, in order.</summary>
public sealed record TxnResult(bool Succeeded, long Revision, IReadOnlyList<RangeResult> Ranges);

/// <summary>etcd could not be reached on any endpoint, or answered with an error.</summary>
public class EtcdException : Exception
{
    public EtcdException(string message, Exception? inner = null) : base(message, inner) { }

    public EtcdException(string message, int grpcCode, Exception? inner = null) : base(message, inner) => GrpcCode = grpcCode;

    /// <summary>The gRPC status code etcd answered with (5 NotFound, 9 FailedPrecondition, 14 Unavailable ...), or null when etcd was not reached.</summary>
    public int? GrpcCode { get; }
}

/// <summary>A watch asked for a revision that etcd has compacted; re-read and watch from a newer one.</summary>
public sealed class EtcdCompactedException : EtcdException
{
    public EtcdCompactedException(long requestedRevision, long compactRevision)
        : base($"etcd revision {requestedRevision} has been compacted (oldest available is {compactRevision}); re-read the state and watch again.")
    {
        RequestedRevision = requestedRevision;
        CompactRevision = compactRevision;
    }

    public long RequestedRevision { get; }
    public long CompactRevision { get; }
}
