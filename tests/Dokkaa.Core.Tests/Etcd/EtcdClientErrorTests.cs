using System.Net;
using Dokkaa.Core.Etcd;
using Xunit;

namespace Dokkaa.Core.Tests.Etcd;

/// <summary>How the client reads the gateway's errors and decides whether another member may be asked.</summary>
public sealed class EtcdClientErrorTests
{
    private const string Ok = """{"header":{"revision":"7"}}""";
    private const string NoLeader = """{"error":"etcdserver: no leader","message":"etcdserver: no leader","code":14}""";
    private const string TimedOut = """{"error":"etcdserver: request timed out","message":"etcdserver: request timed out","code":14}""";

    private static readonly Uri A = new("http://a.invalid:2379");
    private static readonly Uri B = new("http://b.invalid:2379");

    private static EtcdClient Client(StubEtcdHandler handler) => new(new EtcdClientOptions([A, B]), handler);

    private static StubEtcdHandler AFails(HttpStatusCode status, string body) =>
        new(request => request.RequestUri!.Host == A.Host ? StubEtcdHandler.Json(status, body) : StubEtcdHandler.Json(HttpStatusCode.OK, Ok));

    [Fact]
    public async Task An_error_body_becomes_an_EtcdException_with_etcds_message_and_code_and_is_not_retried()
    {
        using var handler = AFails(HttpStatusCode.BadRequest, """{"error":"etcdserver: key is not provided","message":"etcdserver: key is not provided","code":3}""");
        using var client = Client(handler);

        var error = await Assert.ThrowsAsync<EtcdException>(() => client.RangeAsync("/k"));

        Assert.Equal("etcdserver: key is not provided", error.Message);
        Assert.Equal(3, error.GrpcCode);
        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task A_member_without_a_leader_is_passed_over_even_for_writes()
    {
        using var handler = AFails(HttpStatusCode.ServiceUnavailable, NoLeader);
        using var client = Client(handler);

        Assert.Equal(7, await client.PutAsync("/k", "v"));
        Assert.Equal(["a.invalid:2379 /v3/kv/put", "b.invalid:2379 /v3/kv/put"], handler.Requests);
        Assert.Equal(B, client.CurrentEndpoint);
    }

    [Fact]
    public async Task A_write_that_may_have_been_applied_is_not_sent_again_but_the_next_call_goes_elsewhere()
    {
        using var handler = AFails(HttpStatusCode.ServiceUnavailable, TimedOut);
        using var client = Client(handler);

        var error = await Assert.ThrowsAsync<EtcdException>(() => client.TxnAsync(new TxnRequest([Compare.Absent("/k")], [new TxnOp.Put("/k", "v")])));

        Assert.Contains("may or may not have been applied", error.Message);
        Assert.Equal(14, Assert.IsType<EtcdException>(error.InnerException).GrpcCode);
        Assert.Single(handler.Requests);
        Assert.Equal(B, client.CurrentEndpoint);
    }

    [Fact]
    public async Task A_read_is_retried_on_the_next_member_after_a_server_error()
    {
        using var handler = AFails(HttpStatusCode.InternalServerError, """{"error":"context deadline exceeded","message":"context deadline exceeded","code":2}""");
        using var client = Client(handler);

        Assert.Equal(7, (await client.RangeAsync("/k")).Revision);
        Assert.Equal(2, handler.Requests.Count);
    }

    [Fact]
    public async Task A_read_only_transaction_counts_as_a_read()
    {
        using var handler = AFails(HttpStatusCode.ServiceUnavailable, TimedOut);
        using var client = Client(handler);

        var result = await client.TxnAsync(new TxnRequest([Compare.Absent("/k")], [new TxnOp.Range("/k")]));

        Assert.False(result.Succeeded);
        Assert.Equal(2, handler.Requests.Count);
    }

    [Fact]
    public async Task A_non_json_error_page_still_becomes_an_EtcdException()
    {
        using var handler = new StubEtcdHandler(_ => new HttpResponseMessage(HttpStatusCode.NotFound) { Content = new StringContent("<html>nope</html>") });
        using var client = Client(handler);

        var error = await Assert.ThrowsAsync<EtcdException>(() => client.RangeAsync("/k"));

        Assert.Contains("HTTP 404", error.Message);
    }

    [Fact]
    public async Task Keepalive_of_a_lease_that_is_gone_answers_zero()
    {
        // What etcd 3.4 answers for an unknown lease: a result with the ID and no TTL.
        using var handler = new StubEtcdHandler(_ => StubEtcdHandler.Json(HttpStatusCode.OK, """{"result":{"header":{"revision":"3"},"ID":"123"}}""" + "\n"));
        using var client = Client(handler);

        Assert.Equal(0, await client.LeaseKeepAliveAsync(123));
    }

    [Fact]
    public async Task Requests_carry_the_require_leader_header_unless_turned_off()
    {
        var seen = new List<bool>();
        using var handler = new StubEtcdHandler(request =>
        {
            seen.Add(request.Headers.TryGetValues("Grpc-Metadata-Hasleader", out var values) && values.Single() == "true");
            return StubEtcdHandler.Json(HttpStatusCode.OK, Ok);
        });
        using (var client = new EtcdClient(new EtcdClientOptions([A]), handler))
            await client.RangeAsync("/k");
        using (var client = new EtcdClient(new EtcdClientOptions([A]) { RequireLeader = false }, handler))
            await client.RangeAsync("/k");

        Assert.Equal([true, false], seen);
    }
}
