using Dokkaa.Dev;
using Dokkaa.Testing;
using Xunit;

namespace Dokkaa.Cli.Tests.Dev;

/// <summary>
/// The etcd of a <c>dokkaa dev up --secure</c> cluster without the hosts: the same plan, certificates, member
/// command lines and auth setup, but with the "bridge" address on loopback (127.77.N.1), so that it needs no
/// namespace or Docker. Three members, so that peer TLS is exercised too. Disposal kills the members and
/// deletes the cluster's directory.
/// </summary>
public sealed class SecuredEtcdFixture : IAsyncLifetime
{
    public DevClusterState State { get; private set; } = null!;

    public string StatePath { get; private set; } = "";

    public DevSecurity Security => State.Etcd.Security!;

    public string Endpoints => string.Join(',', State.Etcd.Endpoints);

    public async Task InitializeAsync()
    {
        Assert.True(Sys.EffectiveUid() == 0, "the secured etcd tests write under /var/lib/dokkaa-dev and need root");
        var name = "s" + Guid.NewGuid().ToString("N")[..5];
        var plan = DevPlan.Create(name, 1, $"127.77.{Random.Shared.Next(1, 255)}.0/24", DevPlan.DefaultContainerSubnet, 3, Random.Shared.Next(20000, 30000), "2s", secure: true);
        State = plan.ToState("/bin/true");
        StatePath = Path.Combine(Path.GetTempPath(), $"dokkaa-dev-{name}.json");
        Directory.CreateDirectory(State.LogDir);
        State.Save(StatePath);

        EtcdClusterLauncher.CheckPortsFree(State);
        await DevCertificates.CreateAsync(Security, State.Name, State.BridgeAddress);
        foreach (var member in State.Etcd.Members)
            member.Pid = await EtcdClusterLauncher.StartAsync(State, member);
        State.Save(StatePath);
        await EtcdClusterLauncher.WaitHealthyAsync(State, TimeSpan.FromSeconds(60));
        await DevEtcdAuth.EnableAsync(State);
    }

    /// <summary>etcdctl with the cluster's CA and the given extra flags (a user's certificate, --user).</summary>
    public Task<ProcessRunner.Result> EtcdctlAsync(IEnumerable<string> connection, params string[] args) =>
        ProcessRunner.RunAsync("etcdctl", new[] { "--endpoints", Endpoints, "--cacert", Security.CaFile, "--dial-timeout", "5s", "--command-timeout", "10s" }.Concat(connection).Concat(args), timeout: TimeSpan.FromSeconds(30));

    /// <summary>The certificate and the password of <paramref name="user"/>.</summary>
    public IEnumerable<string> As(DevEtcdUser user) =>
        new[] { "--cert", user.CertFile, "--key", user.KeyFile, "--user", $"{user.Name}:{DevCertificates.Password(user)}" };

    /// <summary>What the key holds, read as root (null: absent).</summary>
    public async Task<string?> ReadAsRootAsync(string key)
    {
        var result = await EtcdctlAsync(As(Security.Root), "get", key, "--print-value-only");
        Assert.True(result.ExitCode == 0, $"etcdctl get as root failed: {result.All}");
        return result.StdOut.Length == 0 ? null : result.StdOut.TrimEnd('\n');
    }

    public async Task DisposeAsync()
    {
        if (State is null)
            return;
        await ProcessTable.KillAsync(State.Etcd.Members.Select(m => m.Pid).Where(p => p > 0 && ProcessTable.IsAlive(p, EtcdClusterLauncher.Comm)).ToList());
        if (Directory.Exists(State.WorkDir))
            Directory.Delete(State.WorkDir, recursive: true);
        File.Delete(StatePath);
        DevCluster.DeleteEmptyRoots();
    }
}
