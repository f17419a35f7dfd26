using System.Text.Json;

namespace Dokkaa.Core.Etcd;

/// <summary>The JSON of /v3/kv/txn: compares and ops as the gateway spells them, and the range results that come back.</summary>
internal static class EtcdTxnJson
{
    public static byte[] Build(TxnRequest request) => EtcdJson.Build(writer =>
    {
        writer.WriteStartArray("compare");
        foreach (var compare in request.Compares)
            WriteCompare(writer, compare);
        writer.WriteEndArray();
        WriteOps(writer, "success", request.Success);
        WriteOps(writer, "failure", request.Failure ?? []);
    });

    /// <summary>Only range ops: a failed attempt can be sent again to another member without harm.</summary>
    public static bool IsReadOnly(TxnRequest request) =>
        request.Success.All(op => op is TxnOp.Range) && (request.Failure ?? []).All(op => op is TxnOp.Range);

    public static TxnResult Parse(JsonElement response)
    {
        var ranges = new List<RangeResult>();
        if (response.TryGetProperty("responses", out var responses) && responses.ValueKind == JsonValueKind.Array)
        {
            foreach (var op in responses.EnumerateArray())
            {
                if (op.TryGetProperty("response_range", out var range))
                    ranges.Add(EtcdJson.ParseRange(range));
            }
        }

        return new TxnResult(EtcdJson.GetBool(response, "succeeded"), EtcdJson.HeaderRevision(response), ranges);
    }

    private static void WriteCompare(Utf8JsonWriter writer, Compare compare)
    {
        writer.WriteStartObject();
        EtcdJson.WriteString(writer, "key", compare.Key);
        // The proto enum names: Compare.CompareTarget and Compare.CompareResult.
        writer.WriteString("target", compare.Target switch
        {
            CompareTarget.Version => "VERSION",
            CompareTarget.CreateRevision => "CREATE",
            CompareTarget.ModRevision => "MOD",
            CompareTarget.Value => "VALUE",
            CompareTarget.Lease => "LEASE",
            _ => throw new ArgumentOutOfRangeException(nameof(compare), compare.Target, "unknown compare target"),
        });
        writer.WriteString("result", compare.Result switch
        {
            CompareResult.Equal => "EQUAL",
            CompareResult.Greater => "GREATER",
            CompareResult.Less => "LESS",
            CompareResult.NotEqual => "NOT_EQUAL",
            _ => throw new ArgumentOutOfRangeException(nameof(compare), compare.Result, "unknown compare result"),
        });
        switch (compare.Target)
        {
            case CompareTarget.Version: EtcdJson.WriteInt64(writer, "version", compare.Number); break;
            case CompareTarget.CreateRevision: EtcdJson.WriteInt64(writer, "create_revision", compare.Number); break;
            case CompareTarget.ModRevision: EtcdJson.WriteInt64(writer, "mod_revision", compare.Number); break;
            case CompareTarget.Lease: EtcdJson.WriteInt64(writer, "lease", compare.Number); break;
            case CompareTarget.Value: EtcdJson.WriteString(writer, "value", compare.Value ?? ""); break;
        }

        writer.WriteEndObject();
    }

    private static void WriteOps(Utf8JsonWriter writer, string name, IReadOnlyList<TxnOp> ops)
    {
        writer.WriteStartArray(name);
        foreach (var op in ops)
        {
            writer.WriteStartObject();
            switch (op)
            {
                case TxnOp.Put put:
                    writer.WriteStartObject("request_put");
                    EtcdJson.WriteString(writer, "key", put.Key);
                    EtcdJson.WriteString(writer, "value", put.Value);
                    if (put.LeaseId != 0)
                        EtcdJson.WriteInt64(writer, "lease", put.LeaseId);
                    writer.WriteEndObject();
                    break;
                case TxnOp.Delete delete:
                    writer.WriteStartObject("request_delete_range");
                    EtcdJson.WriteRangeFields(writer, delete.Key, delete.Prefix);
                    writer.WriteEndObject();
                    break;
                case TxnOp.Range range:
                    writer.WriteStartObject("request_range");
                    EtcdJson.WriteRangeFields(writer, range.Key, range.Prefix);
                    writer.WriteEndObject();
                    break;
                default:
                    throw new ArgumentException($"Unknown transaction op {op.GetType().Name}.", nameof(ops));
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }
}
