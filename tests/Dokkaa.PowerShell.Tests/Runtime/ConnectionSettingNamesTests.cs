using Dokkaa.Core.EtcdAccess;
using Xunit;

namespace Dokkaa.PowerShell.Tests.Runtime;

/// <summary>An error names the parameter the user gave, or the environment variable a bad value came from.</summary>
public sealed class ConnectionSettingNamesTests
{
    [Fact]
    public void GivenParametersAndMissingSettingsAreNamedByTheParameter()
    {
        var names = ConnectionSettingNames.For(new EtcdConnectionSettings(), new EtcdConnectionSettings { CertFile = "c.pem" }, "-Endpoint");

        Assert.Equal(("-Endpoint", "-CaPath", "-CertificatePath", "-KeyPath", "-Credential", "-Credential"), (names.Endpoints, names.Ca, names.Cert, names.Key, names.User, names.Password));
    }

    [Fact]
    public void SettingsFromTheEnvironmentAreNamedByTheirVariable()
    {
        var environment = new EtcdConnectionSettings { CaFile = "ca.pem", KeyFile = "k.pem", Username = "operator" };

        var names = ConnectionSettingNames.For(environment, new EtcdConnectionSettings { CertFile = "c.pem" }, null);

        Assert.Equal(("$env:DOKKAA_ETCD", "$env:DOKKAA_ETCD_CA", "-CertificatePath", "$env:DOKKAA_ETCD_KEY", "$env:DOKKAA_ETCD_USER", "$env:DOKKAA_ETCD_PASSWORD"),
            (names.Endpoints, names.Ca, names.Cert, names.Key, names.User, names.Password));
    }

    [Fact]
    public void AGivenParameterWinsOverTheEnvironmentsName()
    {
        var environment = new EtcdConnectionSettings { CaFile = "env-ca.pem", Username = "agent" };

        var names = ConnectionSettingNames.For(environment, new EtcdConnectionSettings { CaFile = "ca.pem", Username = "operator" }, "-Endpoint");

        Assert.Equal(("-CaPath", "-Credential"), (names.Ca, names.User));
    }
}
