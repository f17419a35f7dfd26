using Dokkaa.Dev;
using Xunit;

namespace Dokkaa.Cli.Tests.Dev;

/// <summary>What `dokkaa dev up --secure` plans: https everywhere, TLS flags for the members, the agent's identity for the agents. Pure.</summary>
public sealed class SecureDevPlanTests
{
    private static DevClusterState State(bool secure) =>
        DevPlan.Create("dev", 2, "10.213.0.0/24", "10.214.0.0/16", 3, 2379, "2s", secure).ToState("/x/dokkaa-agent");

    [Fact]
    public void APlainClusterStaysPlain()
    {
        var state = State(secure: false);

        Assert.Null(state.Etcd.Security);
        Assert.All(state.Etcd.Members, m => Assert.StartsWith("http://", m.ClientUrl, StringComparison.Ordinal));
        Assert.DoesNotContain("--client-cert-auth", EtcdClusterLauncher.Command(state, state.Etcd.Members[0]));
        Assert.DoesNotContain(AgentLauncher.Command(state, state.Hosts[0]), a => a.StartsWith("--etcd-", StringComparison.Ordinal));
    }

    [Fact]
    public void ASecuredClusterUsesHttpsForClientsAndPeers()
    {
        var state = State(secure: true);

        Assert.Equal(new[] { "https://10.213.0.1:2379", "https://10.213.0.1:2381", "https://10.213.0.1:2383" }, state.Etcd.Endpoints);
        Assert.All(state.Etcd.Members, m => Assert.StartsWith("https://", m.PeerUrl, StringComparison.Ordinal));
        Assert.Equal("/var/lib/dokkaa-dev/dev/tls", state.Etcd.Security!.Dir);
    }

    [Fact]
    public void MembersRequireClientAndPeerCertificatesFromTheClustersCa()
    {
        var state = State(secure: true);
        var security = state.Etcd.Security!;

        var command = EtcdClusterLauncher.Command(state, state.Etcd.Members[1]);

        Assert.Contains("--client-cert-auth", command);
        Assert.Contains("--peer-client-cert-auth", command);
        foreach (var (flag, value) in new[]
        {
            ("--trusted-ca-file", security.CaFile), ("--cert-file", security.ServerCertFile), ("--key-file", security.ServerKeyFile),
            ("--peer-trusted-ca-file", security.CaFile), ("--peer-cert-file", security.ServerCertFile), ("--peer-key-file", security.ServerKeyFile),
        })
        {
            Assert.Equal(value, command[command.ToList().IndexOf(flag) + 1]);
        }
    }

    [Fact]
    public void AgentsRunAsTheAgentUserWithItsPasswordFileNotItsPassword()
    {
        var state = State(secure: true);
        var agent = state.Etcd.Security!.Agent;

        var command = AgentLauncher.Command(state, state.Hosts[0]).ToList();

        Assert.Equal("agent", command[command.IndexOf("--etcd-user") + 1]);
        Assert.Equal(agent.CertFile, command[command.IndexOf("--etcd-cert") + 1]);
        Assert.Equal(agent.KeyFile, command[command.IndexOf("--etcd-key") + 1]);
        Assert.Equal(agent.PasswordFile, command[command.IndexOf("--etcd-password-file") + 1]);
        Assert.Equal(string.Join(',', state.Etcd.Endpoints), command[command.IndexOf("--etcd") + 1]);
        Assert.DoesNotContain("--etcd-password", command);
    }

    [Fact]
    public void TheSecurityIsKeptInTheStateFile()
    {
        var state = State(secure: true);

        var again = DevClusterState.FromJson(state.ToJson());

        Assert.Equal(state.Etcd.Security!.Operator.PasswordFile, again.Etcd.Security!.Operator.PasswordFile);
        Assert.Equal("dokkaa-operator", again.Etcd.Security.Operator.Role);
        Assert.Equal("dokkaa-agent", again.Etcd.Security.Agent.Role);
    }
}
