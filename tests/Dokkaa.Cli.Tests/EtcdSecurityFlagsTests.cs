using Dokkaa.Cli.Tests.Support;
using Dokkaa.Core.Cluster;
using Dokkaa.Testing;
using Xunit;

namespace Dokkaa.Cli.Tests;

/// <summary>
/// The etcd TLS and user flags of the real <c>dokkaa</c> process: every command that talks to etcd takes them,
/// the environment gives their defaults, and a bad setting is one line naming the flag before anything is written.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class EtcdSecurityFlagsTests(EtcdFixture etcd) : CliTestBase(etcd)
{
    private const string Web = """{"image":"dockerfile/nginx"}""";

    [Theory]
    [InlineData("get")]
    [InlineData("apply")]
    [InlineData("rm")]
    [InlineData("scale")]
    [InlineData("ps")]
    [InlineData("hosts")]
    [InlineData("status")]
    [InlineData("resolve")]
    [InlineData("wait")]
    [InlineData("drain")]
    [InlineData("undrain")]
    [InlineData("rebalance")]
    [InlineData("console")]
    public async Task EveryCommandThatTalksToEtcdTakesTheFlags(string command)
    {
        var result = await DokkaaRaw(new[] { command, "--help" });

        AssertOk(result);
        foreach (var flag in new[] { "--etcd-ca", "--etcd-cert", "--etcd-key", "--etcd-user", "--etcd-password-file" })
            Assert.Contains(flag, result.StdOut, StringComparison.Ordinal);
        Assert.DoesNotContain("--etcd-password ", result.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ThereIsNoPasswordFlag()
    {
        var result = await DokkaaRaw(new[] { "get", "--etcd", Etcd.Endpoint, "--etcd-user", "u", "--etcd-password", "secret" });

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("--etcd-password", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ACertificateWithoutKeyIsRefusedAndNothingIsWritten()
    {
        using var certs = TestCertificates.Create();
        var app = NewName();
        var file = WriteFile("web.json", Web);

        var error = AssertFails(await DokkaaRaw(new[] { "apply", "-f", file, "--app", app, "--etcd", Etcd.Endpoint.Replace("http://", "https://", StringComparison.Ordinal), "--etcd-cert", certs.CertFile }));

        Assert.Contains("--etcd-cert: a client certificate needs its private key: give --etcd-key too", error, StringComparison.Ordinal);
        Assert.Null(await Etcd.GetAsync(KeyLayout.Manifest(app, "web")));
    }

    [Fact]
    public async Task AUserWithoutPasswordNamesWhereThePasswordComesFrom()
    {
        var error = AssertFails(await DokkaaRaw(new[] { "ps", "--etcd", Etcd.Endpoint, "--etcd-user", "operator" }, new Dictionary<string, string> { ["DOKKAA_ETCD_PASSWORD"] = "" }));

        Assert.Contains("--etcd-user: user operator needs a password: set $DOKKAA_ETCD_PASSWORD or give --etcd-password-file", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AWorldReadablePasswordFileIsRefused()
    {
        var passwordFile = WriteFile("password", "secret\n");
        File.SetUnixFileMode(passwordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);

        var error = AssertFails(await DokkaaRaw(new[] { "hosts", "--etcd", Etcd.Endpoint, "--etcd-user", "operator", "--etcd-password-file", passwordFile }));

        Assert.Contains($"--etcd-password-file: {passwordFile} is readable by every user of this machine", error, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheEnvironmentGivesTheDefaults()
    {
        var missing = Path.Combine(TempDir, "missing-ca.pem");
        var env = new Dictionary<string, string> { ["DOKKAA_ETCD"] = "https://127.0.0.1:1", ["DOKKAA_ETCD_CA"] = missing };

        var error = AssertFails(await DokkaaRaw(new[] { "get" }, env));

        Assert.Contains($"--etcd-ca: {missing} does not exist", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CertificatesOverPlainHttpAreRefused()
    {
        using var certs = TestCertificates.Create();

        var error = AssertFails(await DokkaaRaw(new[] { "get", "--etcd", Etcd.Endpoint, "--etcd-ca", certs.CaFile }));

        Assert.Contains("--etcd: ", error, StringComparison.Ordinal);
        Assert.Contains("is not https:// but --etcd-ca asks for TLS", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheConsoleRefusesABadSettingBeforeServing()
    {
        var error = AssertFails(await DokkaaRaw(new[] { "console", "--listen", "127.0.0.1:0", "--etcd", Etcd.Endpoint, "--etcd-user", "operator" }, new Dictionary<string, string> { ["DOKKAA_ETCD_PASSWORD"] = "" }));

        Assert.Contains("--etcd-user:", error, StringComparison.Ordinal);
    }
}
