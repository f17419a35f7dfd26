using System.Security.Cryptography;

namespace Dokkaa.Dev;

/// <summary>
/// Makes a secured dev cluster's key material with openssl: a CA, one certificate for the members (server and
/// peer, SANs: the bridge address and 127.0.0.1), a client certificate per etcd user (CN = the user, which etcd
/// also takes as the user when no password is sent) and a random password per user. Keys and passwords are 0600
/// in a 0700 directory.
/// </summary>
public static class DevCertificates
{
    private const string Days = "30";

    public static async Task CreateAsync(DevSecurity security, string clusterName, string bridgeAddress, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(security.Dir);
        OwnerOnly(security.Dir, UnixFileMode.UserExecute);
        await OpenSslAsync(cancellationToken, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", Days,
            "-subj", $"/CN=dokkaa dev {clusterName} CA", "-keyout", security.CaKeyFile, "-out", security.CaFile).ConfigureAwait(false);
        await SignAsync(security, "etcd", security.ServerCertFile, security.ServerKeyFile,
            $"extendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=IP:{bridgeAddress},IP:127.0.0.1\n", cancellationToken).ConfigureAwait(false);
        foreach (var user in security.Users)
        {
            await SignAsync(security, user.Name, user.CertFile, user.KeyFile, "extendedKeyUsage=clientAuth\n", cancellationToken).ConfigureAwait(false);
            WriteSecret(user.PasswordFile, Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)).Replace('+', '-').Replace('/', '_') + "\n");
        }
    }

    /// <summary>The first line of a user's password file.</summary>
    public static string Password(DevEtcdUser user) => File.ReadAllText(user.PasswordFile).Split('\n', 2)[0];

    private static async Task SignAsync(DevSecurity security, string commonName, string certFile, string keyFile, string extensions, CancellationToken cancellationToken)
    {
        var request = Path.Combine(security.Dir, commonName + ".csr");
        var extensionFile = Path.Combine(security.Dir, commonName + ".ext");
        await File.WriteAllTextAsync(extensionFile, "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n" + extensions, cancellationToken).ConfigureAwait(false);
        try
        {
            await OpenSslAsync(cancellationToken, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-subj", $"/CN={commonName}", "-keyout", keyFile, "-out", request).ConfigureAwait(false);
            await OpenSslAsync(cancellationToken, "x509", "-req", "-in", request, "-CA", security.CaFile, "-CAkey", security.CaKeyFile,
                "-set_serial", "0x" + Convert.ToHexString(RandomNumberGenerator.GetBytes(16)), "-days", Days, "-extfile", extensionFile, "-out", certFile).ConfigureAwait(false);
            OwnerOnly(keyFile);
        }
        finally
        {
            File.Delete(request);
            File.Delete(extensionFile);
        }
    }

    private static void WriteSecret(string path, string text)
    {
        using (File.Create(path, 0, FileOptions.None))
        {
        }

        OwnerOnly(path);
        File.WriteAllText(path, text);
    }

    /// <summary>dokkaa dev runs on Linux only; the check keeps the analyzer (and Windows builds) content.</summary>
    private static void OwnerOnly(string path, UnixFileMode extra = UnixFileMode.None)
    {
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | extra);
    }

    private static Task<string> OpenSslAsync(CancellationToken cancellationToken, params string[] args) =>
        Sys.CheckAsync("openssl", args, TimeSpan.FromSeconds(30), cancellationToken);
}
