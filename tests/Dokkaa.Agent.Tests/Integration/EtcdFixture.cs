using Dokkaa.Testing;
using Xunit;

namespace Dokkaa.Agent.Tests.Integration;

/// <summary>One real etcd per test class; tests keep apart by using their own app names and host ids.</summary>
public sealed class EtcdFixture : IAsyncLifetime
{
    public EtcdServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await EtcdServer.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
