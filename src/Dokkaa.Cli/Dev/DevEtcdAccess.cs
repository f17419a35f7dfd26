using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Dokkaa.Core.Etcd;
using Dokkaa.Core.EtcdAccess;
using Dokkaa.Etcd;

namespace Dokkaa.Cli.Dev;

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
        var handler = new SocketsHttpHandler();
        if (etcd.Security is { } security)
        {
            var ca = X509Certificate2.CreateFromPem(File.ReadAllText(security.CaFile));
            handler.SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificates = new X509CertificateCollection { X509Certificate2.CreateFromPemFile(security.Operator.CertFile, security.Operator.KeyFile) },
                RemoteCertificateValidationCallback = (_, certificate, _, errors) => TrustedBy(ca, certificate, errors),
            };
        }

        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(2) };
    }

    /// <summary>Signed by the cluster's own CA, for the name asked for (the chain is built against that CA alone).</summary>
    private static bool TrustedBy(X509Certificate2 ca, X509Certificate? certificate, SslPolicyErrors errors)
    {
        if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
            return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = new X509Certificate2(certificate);
        return chain.Build(leaf);
    }
}
