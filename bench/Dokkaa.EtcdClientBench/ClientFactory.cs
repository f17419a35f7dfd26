using Dokkaa.Core.Etcd;

/// <summary>The client under test: the old JSON gateway client (built with Gateway=true) or the dotnet-etcd adapter.</summary>
internal static class ClientFactory
{
#if GATEWAY
    public static IEtcdClient Create(string endpoint) => EtcdClient.Parse(endpoint);
#else
    public static IEtcdClient Create(string endpoint) => Dokkaa.Etcd.EtcdClients.Create(endpoint);
#endif
}
