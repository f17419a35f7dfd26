using Dokkaa.Core.Etcd;
using Dokkaa.Core.EtcdAccess;
using Dokkaa.Etcd;

namespace Dokkaa.Dev;

/// <summary>
/// How the dev commands themselves talk to the cluster's etcd: plainly, or on a secured cluster as the operator
/// (what `dokkaa dev env` hands to a shell), through the same settings rules as every other face.
/// </summary>
public static class DevEtcdAccess
{
    public static EtcdClientOptions Options(DevEtcd etcd) => etcd.Security is { } security
        ? security.Settings(etcd, security.Operator).ToOptions(EtcdSettingNames.Flags)
        : EtcdClientOptions.Parse(string.Join(',', etcd.Endpoints));

    public static GrpcEtcdClient Client(DevEtcd etcd) => EtcdClients.Create(Options(etcd));

    /// <summary>
    /// An HttpClient for the members' plain HTTP endpoints (/health, the gateway's maintenance status): on a
    /// secured cluster it shows the operator's certificate and trusts only the cluster's CA.
    /// </summary>
    public static HttpClient Http(DevEtcd etcd)
    {
        // The same TLS as the etcd client's: the operator's certificate, the cluster's CA alone.
        var handler = new SocketsHttpHandler { SslOptions = EtcdTls.Create(Options(etcd)) ?? new() };
        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(2) };
    }
}
