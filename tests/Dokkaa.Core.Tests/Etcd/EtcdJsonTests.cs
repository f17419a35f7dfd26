using System.Text;
using System.Text.Json;
using Dokkaa.Core.Etcd;
using Xunit;

namespace Dokkaa.Core.Tests.Etcd;

/// <summary>The gateway's JSON: key ranges, the transaction body, and reading answers with omitted defaults.</summary>
public sealed class EtcdJsonTests
{
    [Theory]
    [InlineData(new byte[] { (byte)'a' }, new byte[] { (byte)'b' })]
    [InlineData(new byte[] { (byte)'a', (byte)'/' }, new byte[] { (byte)'a', (byte)'0' })]
    [InlineData(new byte[] { (byte)'a', 0xff }, new byte[] { (byte)'b' })]
    [InlineData(new byte[] { (byte)'a', 0xfe, 0xff, 0xff }, new byte[] { (byte)'a', 0xff })]
    [InlineData(new byte[] { 0xff, 0xff }, new byte[] { 0 })]
    [InlineData(new byte[0], new byte[] { 0 })]
    public void The_prefix_range_end_increments_the_last_byte_that_can_be(byte[] prefix, byte[] end) =>
        Assert.Equal(end, EtcdKeys.PrefixRangeEnd(prefix));

    [Fact]
    public void The_empty_prefix_asks_for_the_whole_keyspace()
    {
        var body = Encoding.UTF8.GetString(EtcdJson.Build(w => EtcdJson.WriteRangeFields(w, "", prefix: true)));

        Assert.Equal("""{"key":"AA==","range_end":"AA=="}""", body);
    }

    [Fact]
    public void A_transaction_is_written_with_the_gateways_enum_and_field_names()
    {
        var body = Encoding.UTF8.GetString(EtcdTxnJson.Build(new TxnRequest(
            [
                Compare.Absent("/k"),
                new Compare("/k", CompareTarget.ModRevision, CompareResult.Less, 9),
                new Compare("/k", CompareTarget.Version, CompareResult.Greater, 1),
                new Compare("/k", CompareTarget.Lease, CompareResult.NotEqual, 5),
                Compare.ValueIs("/k", "v"),
            ],
            [new TxnOp.Put("/k", "v", 42), new TxnOp.Delete("/p/", Prefix: true)],
            [new TxnOp.Range("/k")])));

        Assert.Equal(
            "{\"compare\":[" +
            "{\"key\":\"L2s=\",\"target\":\"CREATE\",\"result\":\"EQUAL\",\"create_revision\":\"0\"}," +
            "{\"key\":\"L2s=\",\"target\":\"MOD\",\"result\":\"LESS\",\"mod_revision\":\"9\"}," +
            "{\"key\":\"L2s=\",\"target\":\"VERSION\",\"result\":\"GREATER\",\"version\":\"1\"}," +
            "{\"key\":\"L2s=\",\"target\":\"LEASE\",\"result\":\"NOT_EQUAL\",\"lease\":\"5\"}," +
            "{\"key\":\"L2s=\",\"target\":\"VALUE\",\"result\":\"EQUAL\",\"value\":\"dg==\"}]," +
            "\"success\":[{\"request_put\":{\"key\":\"L2s=\",\"value\":\"dg==\",\"lease\":\"42\"}}," +
            "{\"request_delete_range\":{\"key\":\"L3Av\",\"range_end\":\"L3Aw\"}}]," +
            "\"failure\":[{\"request_range\":{\"key\":\"L2s=\"}}]}",
            body);
    }

    [Fact]
    public void A_key_value_with_defaults_left_out_reads_as_zeros_and_empty()
    {
        using var doc = JsonDocument.Parse("""{"key":"L2s=","mod_revision":"12"}""");

        Assert.Equal(new KeyValue("/k", "", 0, 12, 0, 0), EtcdJson.ParseKeyValue(doc.RootElement));
    }

    [Fact]
    public void Int64_fields_are_read_from_strings_and_from_numbers()
    {
        using var doc = JsonDocument.Parse("""{"a":"7587869875306806537","b":42}""");

        Assert.Equal(7587869875306806537, EtcdJson.GetInt64(doc.RootElement, "a"));
        Assert.Equal(42, EtcdJson.GetInt64(doc.RootElement, "b"));
        Assert.Equal(0, EtcdJson.GetInt64(doc.RootElement, "missing"));
    }

    [Fact]
    public void A_transaction_answer_yields_its_range_results_in_order()
    {
        using var doc = JsonDocument.Parse("""
            {"header":{"revision":"4"},"succeeded":true,"responses":[
              {"response_put":{"header":{"revision":"4"}}},
              {"response_range":{"header":{"revision":"4"},"kvs":[{"key":"L2M=","create_revision":"4","mod_revision":"4","version":"1","value":"eA=="}],"count":"1"}},
              {"response_delete_range":{"header":{"revision":"4"}}},
              {"response_range":{"header":{"revision":"4"}}}]}
            """);

        var result = EtcdTxnJson.Parse(doc.RootElement);

        Assert.True(result.Succeeded);
        Assert.Equal(4, result.Revision);
        Assert.Equal(2, result.Ranges.Count);
        Assert.Equal("x", result.Ranges[0].Kvs[0].Value);
        Assert.Empty(result.Ranges[1].Kvs);
    }

    [Fact]
    public void Endpoint_lists_parse_with_or_without_scheme()
    {
        var options = EtcdClientOptions.Parse(" http://a:2379, 10.0.0.2:2379 ;https://c:2379 ");

        Assert.Equal([new Uri("http://a:2379"), new Uri("http://10.0.0.2:2379"), new Uri("https://c:2379")], options.Endpoints);
        Assert.Throws<FormatException>(() => EtcdClientOptions.Parse(" , "));
        Assert.Throws<ArgumentException>(() => new EtcdClientOptions([new Uri("ftp://a")]));
    }

    [Fact]
    public void Options_never_print_the_password()
    {
        var options = EtcdClientOptions.Parse("https://a:2379") with { Username = "agent", Password = "s3cret-pw" };

        Assert.DoesNotContain("s3cret-pw", options.ToString(), StringComparison.Ordinal);
        Assert.Contains("agent", options.ToString(), StringComparison.Ordinal);
    }
}
