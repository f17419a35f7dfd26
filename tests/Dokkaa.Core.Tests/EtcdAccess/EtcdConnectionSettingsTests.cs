using Dokkaa.Core.EtcdAccess;
using Dokkaa.Testing;
using Xunit;

namespace Dokkaa.Core.Tests.EtcdAccess;

/// <summary>The rules that turn flags, parameters and environment into etcd client options, and the errors that name the flag.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class EtcdConnectionSettingsTests : IDisposable
{
    private const string Https = "https://127.0.0.1:2379";
    private readonly TestCertificates _certs = TestCertificates.Create();

    public void Dispose() => _certs.Dispose();

    [Fact]
    public void EndpointsAloneGiveAPlainClient()
    {
        var options = new EtcdConnectionSettings { Endpoints = "http://a:2379,b:2379" }.ToOptions(EtcdSettingNames.Flags);

        Assert.Equal(new[] { "http://a:2379/", "http://b:2379/" }, options.Endpoints.Select(e => e.AbsoluteUri));
        Assert.Null(options.CaFile);
        Assert.Null(options.Username);
        Assert.Null(options.Password);
    }

    [Fact]
    public void EverySettingReachesTheOptions()
    {
        var passwordFile = Path.Combine(_certs.Directory, "password");
        TestCertificates.WriteSecret(passwordFile, "s3cret\n");

        var options = new EtcdConnectionSettings
        {
            Endpoints = Https,
            CaFile = _certs.CaFile,
            CertFile = _certs.CertFile,
            KeyFile = _certs.KeyFile,
            Username = "agent",
            PasswordFile = passwordFile,
        }.ToOptions(EtcdSettingNames.Flags);

        Assert.Equal(_certs.CaFile, options.CaFile);
        Assert.Equal(_certs.CertFile, options.CertFile);
        Assert.Equal(_certs.KeyFile, options.KeyFile);
        Assert.Equal("agent", options.Username);
        Assert.Equal("s3cret", options.Password);
        Assert.DoesNotContain("s3cret", options.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void PasswordFromTheEnvironmentValueIsTaken()
    {
        var options = new EtcdConnectionSettings { Username = "operator", Password = "pw" }.ToOptions(EtcdSettingNames.Flags);

        Assert.Equal("pw", options.Password);
    }

    [Fact]
    public void CertificateWithoutKeyNamesBothFlags()
    {
        var error = Refused(new() { Endpoints = Https, CertFile = _certs.CertFile });

        Assert.Equal("--etcd-cert", error.Setting);
        Assert.Contains("--etcd-key", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void KeyWithoutCertificateIsRefused()
    {
        Assert.Equal("--etcd-key", Refused(new() { Endpoints = Https, KeyFile = _certs.KeyFile }).Setting);
    }

    [Fact]
    public void MissingFileNamesTheFlagAndThePath()
    {
        var missing = Path.Combine(_certs.Directory, "nope.pem");

        var error = Refused(new() { Endpoints = Https, CaFile = missing });

        Assert.Equal(EtcdSettingsProblem.FileNotFound, error.Problem);
        Assert.StartsWith("--etcd-ca: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ACaFileThatIsNotPemIsRefused()
    {
        var bogus = Path.Combine(_certs.Directory, "bogus.pem");
        File.WriteAllText(bogus, "not a certificate");

        var error = Refused(new() { Endpoints = Https, CaFile = bogus });

        Assert.Equal(EtcdSettingsProblem.FileUnreadable, error.Problem);
        Assert.Equal("--etcd-ca", error.Setting);
    }

    [Fact]
    public void AKeyThatIsNotTheCertificatesIsRefused()
    {
        var error = Refused(new() { Endpoints = Https, CertFile = _certs.CertFile, KeyFile = _certs.OtherKeyFile });

        Assert.Equal("--etcd-cert", error.Setting);
        Assert.Contains(_certs.OtherKeyFile, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CertificatesNeedHttpsEndpoints()
    {
        var error = Refused(new() { Endpoints = "https://a:2379,http://b:2379", CaFile = _certs.CaFile });

        Assert.Equal("--etcd", error.Setting);
        Assert.Contains("http://b:2379", error.Message, StringComparison.Ordinal);
        Assert.Contains("--etcd-ca", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UserWithoutPasswordIsRefused()
    {
        var error = Refused(new() { Username = "agent" });

        Assert.Equal("--etcd-user", error.Setting);
        Assert.Contains("$DOKKAA_ETCD_PASSWORD", error.Message, StringComparison.Ordinal);
        Assert.Contains("--etcd-password-file", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PasswordWithoutUserIsRefused()
    {
        Assert.Equal("--etcd-user", Refused(new() { Password = "pw" }).Setting);
    }

    [Fact]
    public void TwoPasswordsAreRefused()
    {
        var passwordFile = Path.Combine(_certs.Directory, "password");
        TestCertificates.WriteSecret(passwordFile, "a");

        Assert.Equal("--etcd-password-file", Refused(new() { Username = "u", Password = "b", PasswordFile = passwordFile }).Setting);
    }

    [Fact]
    public void AnEmptyPasswordFileIsRefused()
    {
        var passwordFile = Path.Combine(_certs.Directory, "password");
        TestCertificates.WriteSecret(passwordFile, "\n");

        Assert.Equal("--etcd-password-file", Refused(new() { Username = "u", PasswordFile = passwordFile }).Setting);
    }

    [Fact]
    public void AWorldReadablePasswordFileIsRefused()
    {
        var passwordFile = Path.Combine(_certs.Directory, "password");
        TestCertificates.WriteSecret(passwordFile, "pw");
        File.SetUnixFileMode(passwordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var error = Refused(new() { Username = "u", PasswordFile = passwordFile });

        Assert.Equal(EtcdSettingsProblem.Exposed, error.Problem);
        Assert.Equal("--etcd-password-file", error.Setting);
        Assert.Contains("chmod 600", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AGroupReadablePasswordFileIsAccepted()
    {
        var passwordFile = Path.Combine(_certs.Directory, "password");
        TestCertificates.WriteSecret(passwordFile, "pw");
        File.SetUnixFileMode(passwordFile, UnixFileMode.UserRead | UnixFileMode.GroupRead);

        Assert.Equal("pw", new EtcdConnectionSettings { Username = "u", PasswordFile = passwordFile }.ToOptions(EtcdSettingNames.Flags).Password);
    }

    [Fact]
    public void AWorldReadableKeyIsRefused()
    {
        File.SetUnixFileMode(_certs.KeyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);

        var error = Refused(new() { Endpoints = Https, CertFile = _certs.CertFile, KeyFile = _certs.KeyFile });

        Assert.Equal("--etcd-key", error.Setting);
        Assert.Equal(EtcdSettingsProblem.Exposed, error.Problem);
    }

    [Fact]
    public void ErrorsUseTheNamesOfTheFace()
    {
        var names = new EtcdSettingNames("-Endpoint", "-CaPath", "-CertificatePath", "-KeyPath", "-Credential", "-Credential", "-Credential");

        var error = Assert.Throws<EtcdSettingsException>(() => new EtcdConnectionSettings { Endpoints = Https, CertFile = _certs.CertFile }.ToOptions(names));

        Assert.Equal("-CertificatePath: a client certificate needs its private key: give -KeyPath too", error.Message);
    }

    [Fact]
    public void ABadEndpointNamesTheEndpointsFlag()
    {
        Assert.Equal("--etcd", Refused(new() { Endpoints = "ftp://a:1" }).Setting);
    }

    private static EtcdSettingsException Refused(EtcdConnectionSettings settings) =>
        Assert.Throws<EtcdSettingsException>(() => settings.ToOptions(EtcdSettingNames.Flags));
}
