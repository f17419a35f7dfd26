using Dokkaa.Core.Etcd;

namespace Dokkaa.Etcd;

/// <summary>The one place an etcd client is made, so every face (agent, CLI, console, module) gets the same one.</summary>
public static class EtcdClients
{
    /// <summary>A client for <paramref name="options"/>. Throws <see cref="EtcdException"/> when a certificate file cannot be used.</summary>
    public static GrpcEtcdClient Create(EtcdClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new GrpcEtcdClient(options);
    }

    /// <summary>A client for a comma-separated endpoint list, e.g. "http://a:2379,http://b:2379".</summary>
    public static GrpcEtcdClient Create(string endpoints) => Create(EtcdClientOptions.Parse(endpoints));
}
