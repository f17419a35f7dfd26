using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Dokkaa.Core.EtcdAccess;

/// <summary>
/// Checks the files an etcd connection names when it is configured, so that a wrong path, a key that is not the
/// certificate's or a secret readable by everyone is an error naming the flag at start, not a TLS failure later.
/// </summary>
public static class EtcdCredentialFiles
{
    public static void CheckCertificateAuthority(string path, string setting)
    {
        var text = ReadText(path, setting);
        var certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPem(text);
        }
        catch (CryptographicException e)
        {
            throw new EtcdSettingsException(setting, EtcdSettingsProblem.FileUnreadable, $"{path} is not a PEM certificate: {e.Message}", e);
        }

        if (certificates.Count == 0)
            throw new EtcdSettingsException(setting, EtcdSettingsProblem.FileUnreadable, $"{path} holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
        foreach (var certificate in certificates)
            certificate.Dispose();
    }

    public static void CheckClientCertificate(string certPath, string keyPath, string certSetting, string keySetting)
    {
        ReadText(certPath, certSetting);
        ReadText(keyPath, keySetting);
        RefuseExposed(keyPath, keySetting);
        try
        {
            using var certificate = X509Certificate2.CreateFromPemFile(certPath, keyPath);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            throw new EtcdSettingsException(certSetting, EtcdSettingsProblem.FileUnreadable, $"{certPath} with key {keyPath} is not a usable PEM certificate and key (is the key this certificate's?): {e.Message}", e);
        }
    }

    /// <summary>The first line of the file (a trailing newline, as <c>echo</c> writes it, is not part of the password).</summary>
    public static string ReadPassword(string path, string setting)
    {
        var text = ReadText(path, setting);
        RefuseExposed(path, setting);
        var line = text.Split('\n', 2)[0].TrimEnd('\r');
        if (line.Length == 0)
            throw new EtcdSettingsException(setting, EtcdSettingsProblem.Invalid, $"{path} is empty: its first line must be the password");
        return line;
    }

    private static string ReadText(string path, string setting)
    {
        if (!File.Exists(path))
            throw new EtcdSettingsException(setting, EtcdSettingsProblem.FileNotFound, Directory.Exists(path) ? $"{path} is a directory, not a file" : $"{path} does not exist");
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new EtcdSettingsException(setting, EtcdSettingsProblem.FileUnreadable, $"{path} cannot be read: {e.Message}", e);
        }
    }

    /// <summary>
    /// A secret any user of the machine can read is refused, as ssh refuses such a key: whoever reads it can write
    /// manifests, which is running any image on every host. Group-readable is allowed (a dokkaa group on a host).
    /// </summary>
    private static void RefuseExposed(string path, string setting)
    {
        if (OperatingSystem.IsWindows())
            return;
        var mode = File.GetUnixFileMode(path);
        if ((mode & UnixFileMode.OtherRead) != 0)
            throw new EtcdSettingsException(setting, EtcdSettingsProblem.Exposed, $"{path} is readable by every user of this machine (mode {Convert.ToString((int)mode, 8)}): chmod 600 it");
    }
}
