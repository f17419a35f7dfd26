using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Dokkaa.Core.Etcd;

/// <summary>
/// Reading and writing the JSON of etcd's gRPC gateway (proto3 JSON mapping): bytes are base64, int64s
/// are strings, and any field holding its default value (0, "", false, the first enum member) is left out.
/// </summary>
internal static class EtcdJson
{
    public static void WriteBytes(Utf8JsonWriter writer, string name, ReadOnlySpan<byte> bytes) => writer.WriteBase64String(name, bytes);

    public static void WriteString(Utf8JsonWriter writer, string name, string value) => WriteBytes(writer, name, Encoding.UTF8.GetBytes(value));

    /// <summary>int64 go out as strings too: a JSON number loses precision above 2^53 in many readers, and lease IDs get there.</summary>
    public static void WriteInt64(Utf8JsonWriter writer, string name, long value) => writer.WriteString(name, value.ToString(CultureInfo.InvariantCulture));

    /// <summary>An int64 field: a string or a number when present, 0 when omitted.</summary>
    public static long GetInt64(JsonElement obj, string name)
    {
        if (obj.ValueKind != JsonValueKind.Object || !obj.TryGetProperty(name, out var value))
            return 0;
        return value.ValueKind switch
        {
            JsonValueKind.String => long.Parse(value.GetString()!, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture),
            JsonValueKind.Number => value.GetInt64(),
            _ => 0,
        };
    }

    public static bool GetBool(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.True;

    /// <summary>A base64 bytes field decoded as UTF-8 text; "" when omitted (an empty value is the default, so etcd leaves it out).</summary>
    public static string GetText(JsonElement obj, string name)
    {
        if (obj.ValueKind != JsonValueKind.Object || !obj.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.String)
            return "";
        return Encoding.UTF8.GetString(value.GetBytesFromBase64());
    }

    /// <summary>A plain string field such as an error message; null when omitted.</summary>
    public static string? GetPlainString(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    public static long HeaderRevision(JsonElement obj) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty("header", out var header) ? GetInt64(header, "revision") : 0;

    public static KeyValue ParseKeyValue(JsonElement kv) => new(
        GetText(kv, "key"),
        GetText(kv, "value"),
        GetInt64(kv, "create_revision"),
        GetInt64(kv, "mod_revision"),
        GetInt64(kv, "version"),
        GetInt64(kv, "lease"));

    /// <summary>A RangeResponse: "kvs" is omitted when nothing matched.</summary>
    public static RangeResult ParseRange(JsonElement response)
    {
        var kvs = new List<KeyValue>();
        if (response.TryGetProperty("kvs", out var array) && array.ValueKind == JsonValueKind.Array)
        {
            foreach (var kv in array.EnumerateArray())
                kvs.Add(ParseKeyValue(kv));
        }

        return new RangeResult(HeaderRevision(response), kvs);
    }

    /// <summary>The body of a range-shaped request (range, delete range, and the same inside a txn).</summary>
    public static void WriteRangeFields(Utf8JsonWriter writer, string key, bool prefix)
    {
        var start = EtcdKeys.RangeStart(key, prefix);
        WriteBytes(writer, "key", start);
        if (prefix)
            WriteBytes(writer, "range_end", EtcdKeys.PrefixRangeEnd(EtcdKeys.ToBytes(key)));
    }

    /// <summary>Builds a request body with a writer callback; small bodies, so a pooled buffer is not worth it.</summary>
    public static byte[] Build(Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }

        return stream.ToArray();
    }
}
