using Dokkaa.Core.Etcd;
using Dokkaa.Testing.Etcd;
using Microsoft.Extensions.Time.Testing;

namespace Dokkaa.Core.Tests.Etcd;

/// <summary>The contract against <see cref="InMemoryEtcd"/>, on a manual clock: lease tests take no real time.</summary>
public sealed class InMemoryEtcdContractTests : EtcdContractTests, IDisposable
{
    private readonly FakeTimeProvider _clock = new();
    private readonly InMemoryEtcd _etcd;

    public InMemoryEtcdContractTests() => _etcd = new InMemoryEtcd(_clock);

    protected override IEtcdClient Client => _etcd;

    protected override Task PassTimeAsync(TimeSpan span)
    {
        _clock.Advance(span);
        return Task.CompletedTask;
    }

    protected override Task CompactAsync(long revision)
    {
        _etcd.Compact(revision);
        return Task.CompletedTask;
    }

    public void Dispose() => _etcd.Dispose();
}
