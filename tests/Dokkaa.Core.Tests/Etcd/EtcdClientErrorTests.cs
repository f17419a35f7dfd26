using Dokkaa.Core.Etcd;
using Dokkaa.Etcd;
using Dokkaa.Testing;
using Xunit;

namespace Dokkaa.Core.Tests.Etcd;

/// <summary>
/// How the client treats etcd's errors and decides whether another member may be asked. Member A's answers
/// are made by <see cref="GrpcStub"/> (nothing is sent to it); member B is a real etcd.
/// </summary>
public sealed class EtcdClientErrorTests(EtcdFixture etcd) : IClassFixture<EtcdFixture>
{
    private const string TimedOut = "etcdserver: request timed out";

    private static readonly Uri A = new("http://127.0.0.1:1");

    private readonly string _p = $"/errors/{Guid.NewGuid():N}/";

    private GrpcEtcdClient Client(GrpcStub stub, bool requireLeader = true) =>
        new(new EtcdClientOptions([A, etcd.ClientUrl]) { RequireLeader = requireLeader }, stub.Wrap);

    [Fact]
    public async Task An_etcd_error_becomes_an_EtcdException_with_etcds_message_code_and_member_and_is_not_retried()
    {
        var stub = new GrpcStub();
        using var client = new GrpcEtcdClient(new EtcdClientOptions([etcd.ClientUrl, etcd.ClientUrl]), stub.Wrap);

        var error = await Assert.ThrowsAsync<EtcdException>(() => client.PutAsync(_p + "k", "v", leaseId: 123456789));

        Assert.Equal($"etcd at {etcd.ClientUrl}: etcdserver: requested lease not found", error.Message);
        Assert.Equal(5, error.GrpcCode);
        Assert.Single(stub.Calls);
    }

    [Fact]
    public async Task A_member_without_a_leader_is_passed_over_even_for_writes()
    {
        var stub = new GrpcStub { Failing = A };
        using var client = Client(stub);

        Assert.True(await client.PutAsync(_p + "k", "v") > 0);
        Assert.Equal([$"{A.Authority} /etcdserverpb.KV/Put", $"{etcd.ClientUrl.Authority} /etcdserverpb.KV/Put"], stub.Calls);
        Assert.Equal(etcd.ClientUrl, client.CurrentEndpoint);
    }

    [Fact]
    public async Task A_write_that_may_have_been_applied_is_not_sent_again_but_the_next_call_goes_elsewhere()
    {
        var stub = new GrpcStub { Failing = A, Message = TimedOut };
        using var client = Client(stub);

        var error = await Assert.ThrowsAsync<EtcdException>(() => client.TxnAsync(new TxnRequest([Compare.Absent(_p + "k")], [new TxnOp.Put(_p + "k", "v")])));

        Assert.Contains("may or may not have been applied", error.Message);
        Assert.Contains(A.ToString(), error.Message);
        Assert.Equal(14, error.GrpcCode);
        Assert.Single(stub.Calls);
        Assert.Equal(etcd.ClientUrl, client.CurrentEndpoint);
        Assert.Empty((await client.RangeAsync(_p + "k")).Kvs);
    }

    [Fact]
    public async Task A_read_is_retried_on_the_next_member_after_an_unclear_failure()
    {
        var stub = new GrpcStub { Failing = A, Message = TimedOut };
        using var client = Client(stub);

        Assert.True((await client.RangeAsync(_p + "k")).Revision > 0);
        Assert.Equal(2, stub.Calls.Count);
    }

    [Fact]
    public async Task A_read_only_transaction_counts_as_a_read()
    {
        var stub = new GrpcStub { Failing = A, Message = TimedOut };
        using var client = Client(stub);

        var result = await client.TxnAsync(new TxnRequest([Compare.Absent(_p + "k")], [new TxnOp.Range(_p + "k")]));

        Assert.True(result.Succeeded);
        Assert.Equal(2, stub.Calls.Count);
    }

    [Fact]
    public async Task Keepalive_of_a_lease_that_is_gone_answers_zero()
    {
        using var client = etcd.CreateClient();

        Assert.Equal(0, await client.LeaseKeepAliveAsync(987654321));
    }

    [Fact]
    public async Task Requests_carry_the_require_leader_metadata_unless_turned_off()
    {
        var stub = new GrpcStub();
        using (var client = new GrpcEtcdClient(new EtcdClientOptions([etcd.ClientUrl]), stub.Wrap))
            await client.RangeAsync(_p + "k");
        using (var client = new GrpcEtcdClient(new EtcdClientOptions([etcd.ClientUrl]) { RequireLeader = false }, stub.Wrap))
            await client.RangeAsync(_p + "k");

        Assert.Equal([true, false], stub.HasLeader);
    }
}
