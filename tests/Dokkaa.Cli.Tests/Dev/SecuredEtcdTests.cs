using Dokkaa.Dev;
using Dokkaa.Testing;
using Xunit;

namespace Dokkaa.Cli.Tests.Dev;

/// <summary>
/// What `dokkaa dev up --secure` makes of etcd, proven with etcdctl (an independent client): no certificate or a
/// foreign one is refused, the agent's role cannot write manifests, the operator's can, and a refused write
/// leaves nothing behind; and the same through the dokkaa CLI with the operator's and the agent's settings.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class SecuredEtcdTests(SecuredEtcdFixture etcd) : IClassFixture<SecuredEtcdFixture>
{
    private static string NewKey(string prefix) => $"{prefix}t{Guid.NewGuid().ToString("N")[..8]}/web/manifest";

    [Fact]
    public async Task TheMembersTalkToEachOtherOverTls()
    {
        var members = await etcd.EtcdctlAsync(etcd.As(etcd.Security.Root), "member", "list");

        Assert.True(members.ExitCode == 0, members.All);
        Assert.Equal(3, members.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(l => l.Contains(", https://", StringComparison.Ordinal)));
        Assert.DoesNotContain("http://", members.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AClientWithoutCredentialsIsRefusedAndNothingIsWritten()
    {
        var key = NewKey("/apps/");

        var result = await etcd.EtcdctlAsync(Array.Empty<string>(), "put", key, "{\"image\":\"x\"}");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Null(await etcd.ReadAsRootAsync(key));
    }

    [Fact]
    public async Task APasswordWithoutTheClientCertificateIsRefused()
    {
        var key = NewKey("/apps/");

        var result = await etcd.EtcdctlAsync(new[] { "--user", $"operator:{DevCertificates.Password(etcd.Security.Operator)}" }, "put", key, "{}");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Null(await etcd.ReadAsRootAsync(key));
    }

    [Fact]
    public async Task ACertificateFromAnotherCaIsRefused()
    {
        using var foreign = TestCertificates.Create();
        var key = NewKey("/apps/");

        var result = await etcd.EtcdctlAsync(new[] { "--cert", foreign.CertFile, "--key", foreign.KeyFile }, "put", key, "{}");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Null(await etcd.ReadAsRootAsync(key));
    }

    [Fact]
    public async Task AWrongPasswordIsRefused()
    {
        var key = NewKey("/dokkaa/hosts/");

        var result = await etcd.EtcdctlAsync(new[] { "--cert", etcd.Security.Agent.CertFile, "--key", etcd.Security.Agent.KeyFile, "--user", "agent:wrong" }, "put", key, "{}");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("authentication failed", result.StdErr, StringComparison.Ordinal);
        Assert.Null(await etcd.ReadAsRootAsync(key));
    }

    [Fact]
    public async Task TheAgentsRoleCannotWriteManifestsAndNothingIsWritten()
    {
        var key = NewKey("/apps/");

        var result = await etcd.EtcdctlAsync(etcd.As(etcd.Security.Agent), "put", key, "{\"image\":\"evil\"}");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("permission denied", result.StdErr, StringComparison.Ordinal);
        Assert.Null(await etcd.ReadAsRootAsync(key));
    }

    [Fact]
    public async Task TheAgentsRoleWritesUnderDokkaaAndReadsManifests()
    {
        var hostKey = "/dokkaa/hosts/h" + Guid.NewGuid().ToString("N")[..8];
        var manifest = NewKey("/apps/");
        Assert.Equal(0, (await etcd.EtcdctlAsync(etcd.As(etcd.Security.Operator), "put", manifest, "{\"image\":\"web\"}")).ExitCode);

        var put = await etcd.EtcdctlAsync(etcd.As(etcd.Security.Agent), "put", hostKey, "{}");
        var read = await etcd.EtcdctlAsync(etcd.As(etcd.Security.Agent), "get", manifest, "--print-value-only");

        Assert.True(put.ExitCode == 0, put.All);
        Assert.Equal("{\"image\":\"web\"}", read.StdOut.TrimEnd('\n'));
    }

    [Fact]
    public async Task TheCertificateAloneAuthenticatesAsItsCommonName()
    {
        var key = NewKey("/apps/");

        var result = await etcd.EtcdctlAsync(new[] { "--cert", etcd.Security.Agent.CertFile, "--key", etcd.Security.Agent.KeyFile }, "put", key, "{}");

        Assert.Contains("permission denied", result.StdErr, StringComparison.Ordinal);
        Assert.Null(await etcd.ReadAsRootAsync(key));
    }

    [Fact]
    public async Task TheOperatorsRoleWritesManifestsAndDrainsButNotAgentKeys()
    {
        var manifest = NewKey("/apps/");
        var drain = "/dokkaa/drain/h" + Guid.NewGuid().ToString("N")[..8];
        var host = "/dokkaa/hosts/h" + Guid.NewGuid().ToString("N")[..8];

        Assert.Equal(0, (await etcd.EtcdctlAsync(etcd.As(etcd.Security.Operator), "put", manifest, "{}")).ExitCode);
        Assert.Equal(0, (await etcd.EtcdctlAsync(etcd.As(etcd.Security.Operator), "put", drain, "{}")).ExitCode);
        var forged = await etcd.EtcdctlAsync(etcd.As(etcd.Security.Operator), "put", host, "{}");

        Assert.Contains("permission denied", forged.StdErr, StringComparison.Ordinal);
        Assert.Equal("{}", await etcd.ReadAsRootAsync(manifest));
        Assert.Null(await etcd.ReadAsRootAsync(host));
    }

    [Fact]
    public void KeysAndPasswordsAreForTheirOwnerOnly()
    {
        foreach (var user in etcd.Security.Users)
        {
            foreach (var secret in new[] { user.KeyFile, user.PasswordFile })
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(secret));
        }

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(etcd.Security.ServerKeyFile));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(etcd.Security.Dir));
    }

    [Fact]
    public async Task DevEnvGivesTheOperatorsSettings()
    {
        var result = await ProcessRunner.RunAsync(RepoPaths.Cli, "dev", "env", "--state", etcd.StatePath);

        Assert.True(result.ExitCode == 0, result.All);
        Assert.Contains($"export DOKKAA_ETCD={etcd.Endpoints}\n", result.StdOut, StringComparison.Ordinal);
        Assert.Contains($"export DOKKAA_ETCD_CA={etcd.Security.CaFile}\n", result.StdOut, StringComparison.Ordinal);
        Assert.Contains($"export DOKKAA_ETCD_CERT={etcd.Security.Operator.CertFile}\n", result.StdOut, StringComparison.Ordinal);
        Assert.Contains($"export DOKKAA_ETCD_KEY={etcd.Security.Operator.KeyFile}\n", result.StdOut, StringComparison.Ordinal);
        Assert.Contains("export DOKKAA_ETCD_USER=operator\n", result.StdOut, StringComparison.Ordinal);
        Assert.Contains($"export DOKKAA_ETCD_PASSWORD_FILE={etcd.Security.Operator.PasswordFile}\n", result.StdOut, StringComparison.Ordinal);
        Assert.DoesNotContain(DevCertificates.Password(etcd.Security.Operator), result.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheCliWithTheOperatorsSettingsAppliesAManifest()
    {
        var app = "t" + Guid.NewGuid().ToString("N")[..8];

        var result = await ProcessRunner.RunAsync(RepoPaths.Cli, new[] { "apply", "-f", "-", "--app", app, "--name", "web" }, stdin: "{\"image\":\"dockerfile/nginx\"}", timeout: TimeSpan.FromSeconds(60), env: Environment(etcd.Security.Operator));

        Assert.True(result.ExitCode == 0, result.All);
        Assert.NotNull(await etcd.ReadAsRootAsync($"/apps/{app}/web/manifest"));
    }

    [Fact]
    public async Task TheCliWithTheAgentsSettingsCannotApplyAndNothingIsWritten()
    {
        var app = "t" + Guid.NewGuid().ToString("N")[..8];

        var result = await ProcessRunner.RunAsync(RepoPaths.Cli, new[] { "apply", "-f", "-", "--app", app, "--name", "web" }, stdin: "{\"image\":\"dockerfile/nginx\"}", timeout: TimeSpan.FromSeconds(60), env: Environment(etcd.Security.Agent));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("permission denied", result.StdErr, StringComparison.OrdinalIgnoreCase);
        Assert.Null(await etcd.ReadAsRootAsync($"/apps/{app}/web/manifest"));
    }

    private Dictionary<string, string> Environment(DevEtcdUser user) => new()
    {
        ["DOKKAA_ETCD"] = etcd.Endpoints,
        ["DOKKAA_ETCD_CA"] = etcd.Security.CaFile,
        ["DOKKAA_ETCD_CERT"] = user.CertFile,
        ["DOKKAA_ETCD_KEY"] = user.KeyFile,
        ["DOKKAA_ETCD_USER"] = user.Name,
        ["DOKKAA_ETCD_PASSWORD_FILE"] = user.PasswordFile,
    };
}
