using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Dokkaa.Core.Etcd;

namespace Dokkaa.Etcd;

/// <summary>
/// The TLS side of <see cref="EtcdClientOptions"/>: with a CA file the client trusts only that CA (not the
/// system store), and with a certificate and key it proves who it is to an etcd started with --client-cert-auth.
/// Files that cannot be read are reported up front, naming the file, rather than as a failed handshake later.
/// </summary>
public static class EtcdTls
{
    public static SslClientAuthenticationOptions? Create(EtcdClientOptions options)
    {
        if (options.CaFile is null && options.CertFile is null && options.KeyFile is null)
            return null;
        if ((options.CertFile is null) != (options.KeyFile is null))
            throw new EtcdException("An etcd client certificate needs both a certificate file and a key file.");

        var ssl = new SslClientAuthenticationOptions();
        if (options.CaFile is not null)
        {
            var authority = Load(options.CaFile, "CA certificate", () => new X509Certificate2(options.CaFile));
            ssl.RemoteCertificateValidationCallback = (_, certificate, _, errors) => IsSignedBy(certificate, errors, authority);
        }

        if (options.CertFile is not null)
        {
            var client = Load(options.CertFile, "client certificate", () => X509Certificate2.CreateFromPemFile(options.CertFile, options.KeyFile));
            ssl.ClientCertificates = [client];
        }

        return ssl;
    }

    /// <summary>The server's certificate must name the host it was reached by and chain up to the given CA alone.</summary>
    private static bool IsSignedBy(X509Certificate? certificate, SslPolicyErrors errors, X509Certificate2 authority)
    {
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch) || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
            return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var server = new X509Certificate2(certificate);
        return chain.Build(server);
    }

    private static X509Certificate2 Load(string path, string what, Func<X509Certificate2> load)
    {
        try
        {
            return load();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            throw new EtcdException($"etcd {what} '{path}' cannot be used: {e.Message}", e);
        }
    }
}
