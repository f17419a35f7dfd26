using Dokkaa.Core.Etcd;

namespace Dokkaa.Testing.Etcd;

/// <summary>The transaction rules of etcd, for <see cref="InMemoryEtcd"/>: how a compare is judged and which requests are refused.</summary>
internal static class InMemoryTxn
{
    /// <summary>Judges one compare against the key's current state (null: the key does not exist).</summary>
    public static bool Holds(Compare compare, KeyValue? kv)
    {
        int order;
        if (compare.Target == CompareTarget.Value)
        {
            // etcd: a value compare on a missing key is false whatever the operator.
            if (kv is null)
                return false;
            order = Utf8Order.Instance.Compare(kv.Value, compare.Value ?? "");
        }
        else
        {
            // A missing key has version, revisions and lease 0, which is what makes "create revision = 0" mean "absent".
            var actual = compare.Target switch
            {
                CompareTarget.Version => kv?.Version ?? 0,
                CompareTarget.CreateRevision => kv?.CreateRevision ?? 0,
                CompareTarget.ModRevision => kv?.ModRevision ?? 0,
                CompareTarget.Lease => kv?.Lease ?? 0,
                _ => throw new ArgumentOutOfRangeException(nameof(compare), compare.Target, "unknown compare target"),
            };
            order = actual.CompareTo(compare.Number);
        }

        return compare.Result switch
        {
            CompareResult.Equal => order == 0,
            CompareResult.NotEqual => order != 0,
            CompareResult.Greater => order > 0,
            CompareResult.Less => order < 0,
            _ => throw new ArgumentOutOfRangeException(nameof(compare), compare.Result, "unknown compare result"),
        };
    }

    /// <summary>
    /// etcd refuses a branch that writes one key twice (two puts, or a put inside a deleted range), because
    /// one revision can hold only one version of a key. Both branches are checked, as etcd does.
    /// </summary>
    public static void Validate(TxnRequest request)
    {
        ValidateBranch(request.Success);
        ValidateBranch(request.Failure ?? []);
    }

    private static void ValidateBranch(IReadOnlyList<TxnOp> ops)
    {
        var puts = new HashSet<string>(StringComparer.Ordinal);
        foreach (var op in ops)
        {
            if (op is TxnOp.Put put && !puts.Add(put.Key))
                throw Duplicate();
        }

        foreach (var op in ops)
        {
            if (op is not TxnOp.Delete delete)
                continue;
            foreach (var key in puts)
            {
                if (delete.Prefix ? key.StartsWith(delete.Key, StringComparison.Ordinal) : key == delete.Key)
                    throw Duplicate();
            }
        }
    }

    private static EtcdException Duplicate() => new("etcdserver: duplicate key given in txn request", 3);
}
