using Dokkaa.Core.EtcdAccess;
using Dokkaa.Testing;
using Xunit;

namespace Dokkaa.Agent.Tests.Units;

/// <summary>The agent's etcd TLS and user flags reach its options, and its dns subcommand takes the same ones.</summary>
public sealed class EtcdFlagsTests : IDisposable
{
    private readonly TestCertificates _certs = TestCertificates.Create();

    public void Dispose() => _certs.Dispose();

    private static Hosting.AgentOptions Parse(params string[] args) => AgentFlagParser.Parse(args);

    [Fact]
    public void TheFlagsReachTheAgentsEtcdOptions()
    {
        var passwordFile = Path.Combine(_certs.Directory, "agent.password");
        TestCertificates.WriteSecret(passwordFile, "pw\n");

        var options = Parse("--etcd", "https://10.0.0.1:2379,https://10.0.0.2:2379", "--etcd-ca", _certs.CaFile, "--etcd-cert", _certs.CertFile,
            "--etcd-key", _certs.KeyFile, "--etcd-user", "agent", "--etcd-password-file", passwordFile).Etcd;

        Assert.Equal(2, options.Endpoints.Count);
        Assert.Equal(_certs.CaFile, options.CaFile);
        Assert.Equal(_certs.CertFile, options.CertFile);
        Assert.Equal(_certs.KeyFile, options.KeyFile);
        Assert.Equal("agent", options.Username);
        Assert.Equal("pw", options.Password);
    }

    [Fact]
    public void ABadSettingIsAFormatErrorNamingTheFlag()
    {
        var error = Assert.Throws<EtcdSettingsException>(() => Parse("--etcd", "https://127.0.0.1:2379", "--etcd-key", _certs.KeyFile));

        Assert.IsAssignableFrom<FormatException>(error);
        Assert.StartsWith("--etcd-key: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheDnsSubcommandTakesTheSameFlags()
    {
        var dns = Program.BuildCommand().Subcommands.Single(c => c.Name == "dns");

        var names = dns.Options.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);

        Assert.Superset(new HashSet<string>(StringComparer.Ordinal) { "--etcd", "--etcd-ca", "--etcd-cert", "--etcd-key", "--etcd-user", "--etcd-password-file" }, names);
        Assert.DoesNotContain("--etcd-password", names);
    }
}
