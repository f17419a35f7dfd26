using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Dokkaa.Testing;

/// <summary>
/// A throwaway PKI as PEM files (keys 0600) in a temporary directory: a CA, a server certificate for
/// 127.0.0.1 (what a test etcd serves with) and a client certificate, both signed by it, a second CA that
/// signed nothing (a client that trusts the wrong CA) and a key that belongs to no certificate. Made in
/// process, so tests need no openssl. Dispose deletes the files.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    /// <summary>The common name of the client certificate (etcd takes it as the user when no password is given).</summary>
    public const string ClientName = "dokkaa-test-client";

    private TestCertificates(string directory) => Directory = directory;

    public string Directory { get; }

    public string CaFile => Path.Combine(Directory, "ca.pem");

    public string OtherCaFile => Path.Combine(Directory, "other-ca.pem");

    public string ServerCertFile => Path.Combine(Directory, "server.pem");

    public string ServerKeyFile => Path.Combine(Directory, "server-key.pem");

    public string ClientCertFile => Path.Combine(Directory, "client.pem");

    public string ClientKeyFile => Path.Combine(Directory, "client-key.pem");

    /// <summary>The client certificate, by the name the settings give it.</summary>
    public string CertFile => ClientCertFile;

    public string KeyFile => ClientKeyFile;

    /// <summary>A key that is not <see cref="CertFile"/>'s.</summary>
    public string OtherKeyFile => Path.Combine(Directory, "other-key.pem");

    public static Task<TestCertificates> CreateAsync() => Task.FromResult(Create());

    public static TestCertificates Create()
    {
        var certificates = new TestCertificates(System.IO.Directory.CreateTempSubdirectory("dokkaa-certs-").FullName);
        try
        {
            certificates.Make();
            return certificates;
        }
        catch
        {
            certificates.Dispose();
            throw;
        }
    }

    private void Make()
    {
        // One validity for all, in whole seconds: a certificate may not outlive its issuer, whose NotAfter is
        // stored to the second, not even by the fraction a second reading of the clock would add.
        var from = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()).AddMinutes(-5);
        var until = from.AddDays(2);
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var ca = SelfSignedCa("dokkaa test CA", caKey, from, until);
        using var otherCaKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var otherCa = SelfSignedCa("some other CA", otherCaKey, from, until);
        File.WriteAllText(CaFile, ca.ExportCertificatePem());
        File.WriteAllText(OtherCaFile, otherCa.ExportCertificatePem());

        // etcd's own gateway dials the member with the server certificate, so that one is a client certificate too.
        var sans = new SubjectAlternativeNameBuilder();
        sans.AddIpAddress(System.Net.IPAddress.Loopback);
        sans.AddDnsName("localhost");
        Signed(ca, "127.0.0.1", [sans.Build(), Usage(serverAuth: true)], ServerCertFile, ServerKeyFile, serial: 2, from, until);
        Signed(ca, ClientName, [Usage(serverAuth: false)], ClientCertFile, ClientKeyFile, serial: 3, from, until);

        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        WriteSecret(OtherKeyFile, otherKey.ExportPkcs8PrivateKeyPem());
    }

    private static X509Certificate2 SelfSignedCa(string name, ECDsa key, DateTimeOffset from, DateTimeOffset until)
    {
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        return request.CreateSelfSigned(from, until);
    }

    private static X509EnhancedKeyUsageExtension Usage(bool serverAuth)
    {
        var usages = new OidCollection { new Oid("1.3.6.1.5.5.7.3.2") };
        if (serverAuth)
            usages.Add(new Oid("1.3.6.1.5.5.7.3.1"));
        return new X509EnhancedKeyUsageExtension(usages, false);
    }

    private static void Signed(X509Certificate2 ca, string commonName, X509Extension[] extensions, string certFile, string keyFile, byte serial, DateTimeOffset from, DateTimeOffset until)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyAgreement, true));
        foreach (var extension in extensions)
            request.CertificateExtensions.Add(extension);
        using var certificate = request.Create(ca, from, until, [serial, 1, 2, 3]);
        File.WriteAllText(certFile, certificate.ExportCertificatePem());
        WriteSecret(keyFile, key.ExportPkcs8PrivateKeyPem());
    }

    /// <summary>Writes a file only its owner can read (what a key or password file must be).</summary>
    public static void WriteSecret(string path, string text)
    {
        File.WriteAllText(path, text);
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover temp directory must not fail the test run.
        }
    }
}
