using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Dokkaa.Testing;

/// <summary>
/// A throwaway CA and a client certificate signed by it, as PEM files (keys 0600) in a temporary directory,
/// for tests of the settings that name them. Made in-process: no openssl, nothing leaves the directory.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    private TestCertificates(string directory) => Directory = directory;

    public string Directory { get; }

    public string CaFile => Path.Combine(Directory, "ca.pem");

    public string CertFile => Path.Combine(Directory, "client.pem");

    public string KeyFile => Path.Combine(Directory, "client-key.pem");

    /// <summary>A second key that is not <see cref="CertFile"/>'s.</summary>
    public string OtherKeyFile => Path.Combine(Directory, "other-key.pem");

    public static TestCertificates Create()
    {
        var certificates = new TestCertificates(System.IO.Directory.CreateTempSubdirectory("dokkaa-certs-").FullName);
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=dokkaa test ca", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        using var clientKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var clientRequest = new CertificateRequest("CN=agent", clientKey, HashAlgorithmName.SHA256);
        using var client = clientRequest.Create(ca, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1), new byte[] { 1, 2, 3, 4 });
        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        File.WriteAllText(certificates.CaFile, ca.ExportCertificatePem());
        File.WriteAllText(certificates.CertFile, client.ExportCertificatePem());
        WriteSecret(certificates.KeyFile, clientKey.ExportPkcs8PrivateKeyPem());
        WriteSecret(certificates.OtherKeyFile, otherKey.ExportPkcs8PrivateKeyPem());
        return certificates;
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
        }
    }
}
