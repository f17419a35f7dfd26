using Dokkaa.Core.Etcd;
using Dokkaa.Etcd;
using Dokkaa.Testing;
using Xunit;

namespace Dokkaa.Core.Tests.Etcd;

/// <summary>The contract against a real etcd that demands TLS with client certificates and a user login.</summary>
public sealed class SecureEtcdContractTests(SecureEtcdFixture etcd) : EtcdContractTests, IClassFixture<SecureEtcdFixture>, IDisposable
{
    private readonly GrpcEtcdClient _client = etcd.CreateClient();

    protected override IEtcdClient Client => _client;

    protected override Task PassTimeAsync(TimeSpan span) => Task.Delay(span);

    protected override Task CompactAsync(long revision) => etcd.CompactAsync(revision);

    public void Dispose() => _client.Dispose();
}
