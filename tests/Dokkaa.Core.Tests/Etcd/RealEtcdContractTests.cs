using Dokkaa.Core.Etcd;
using Dokkaa.Etcd;
using Dokkaa.Testing;
using Xunit;

namespace Dokkaa.Core.Tests.Etcd;

/// <summary>The contract against a real etcd (plain http), through <see cref="GrpcEtcdClient"/>.</summary>
public sealed class RealEtcdContractTests(EtcdFixture etcd) : EtcdContractTests, IClassFixture<EtcdFixture>, IDisposable
{
    private readonly GrpcEtcdClient _client = etcd.CreateClient();

    protected override IEtcdClient Client => _client;

    /// <summary>Real leases run on etcd's wall clock: this lets the time pass; the tests still poll for the outcome.</summary>
    protected override Task PassTimeAsync(TimeSpan span) => Task.Delay(span);

    protected override Task CompactAsync(long revision) => etcd.CompactAsync(revision);

    public void Dispose() => _client.Dispose();
}
