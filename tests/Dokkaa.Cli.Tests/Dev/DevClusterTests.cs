using System.Diagnostics;
using System.Text.Json;
using Dokkaa.Core.Cluster;
using Dokkaa.Dev;
using Dokkaa.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Dokkaa.Cli.Tests.Dev;

/// <summary>
/// <c>dokkaa dev</c> for real: network namespaces with their own dockerd and a real agent each, a real
/// 3-member etcd cluster on the bridge. Each test brings up its own cluster (about 3 s) and ends with
/// <c>dev down</c> and a check that it left nothing on the machine. Needs root, docker.io, etcd-server and
/// the built solution (the agent executable).
/// </summary>
public sealed class DevClusterTests
{
    private static readonly TimeSpan LeaseTtl = TimeSpan.FromSeconds(2);
    private readonly ITestOutputHelper _output;

    public DevClusterTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public async Task Up_makes_hosts_with_their_own_daemon_address_and_agent_on_one_etcd_cluster_and_down_leaves_nothing()
    {
        await TestImage.EnsureOnMachineAsync();
        await using var cluster = await DevClusterHarness.UpAsync(_output);
        var state = cluster.State;

        Assert.Equal(3, state.Hosts.Count);
        Assert.Equal(3, state.Hosts.Select(h => h.Address).Distinct().Count());
        Assert.Equal(3, state.Etcd.Endpoints.Count);
        Assert.Equal(new[] { 11, 12, 13 }, state.Hosts.Select(h => int.Parse(h.Address.Split('.')[3], System.Globalization.CultureInfo.InvariantCulture)));

        // Each host's dockerd answers on its own socket, keeps its own data root, and runs in its namespace with the agent.
        var gateways = new List<string>();
        foreach (var host in state.Hosts)
        {
            var info = await DevClusterHarness.DockerAsync(host, "info", "--format", "{{.DockerRootDir}}");
            Assert.True(info.ExitCode == 0, info.All);
            Assert.Equal(host.DataRoot, info.StdOut.Trim());
            Assert.Equal(host.Namespace, await DevClusterHarness.NamespaceOfAsync(host.DockerPid));
            Assert.Equal(host.Namespace, await DevClusterHarness.NamespaceOfAsync(host.AgentPid));
            Assert.True(ProcessTable.IsAlive(host.AgentPid, AgentLauncher.Comm));
            // Containers attach to the host's own bridge dk0 (made by up, distinct address per host); no docker0 anywhere.
            var bridge = await DevClusterHarness.DockerAsync(host, "network", "inspect", "bridge", "--format", "{{index .Options \"com.docker.network.bridge.name\"}} {{(index .IPAM.Config 0).Subnet}}");
            Assert.Equal($"{host.ContainerBridge} {host.ContainerBridgeAddress.Replace(".1/24", ".0/24", StringComparison.Ordinal)}", bridge.StdOut.Trim());
            var address = await ProcessRunner.RunAsync("ip", "-n", host.Namespace, "-4", "-o", "addr", "show", host.ContainerBridge);
            Assert.Contains(host.ContainerBridgeAddress, address.StdOut, StringComparison.Ordinal);
            gateways.Add(host.ContainerBridgeAddress);
            Assert.NotEqual(0, (await ProcessRunner.RunAsync("ip", "-n", host.Namespace, "link", "show", "docker0")).ExitCode);
        }

        Assert.Equal(3, gateways.Distinct().Count());

        // The three members form one cluster: same cluster id and the same three members from every endpoint.
        var views = await Task.WhenAll(state.Etcd.Endpoints.Select(DevClusterHarness.MemberListAsync));
        Assert.Single(views.Select(v => v.ClusterId).Distinct());
        Assert.All(views, v => Assert.Equal(state.Etcd.Members.Select(m => $"{m.Name} {m.ClientUrl}").Order(StringComparer.Ordinal), v.Members));
        Assert.All(state.Etcd.Endpoints, e => Assert.True(EtcdClusterLauncher.IsHealthyAsync(state.Etcd, e).GetAwaiter().GetResult(), e));

        // The real agents registered, each with its own address.
        using (var etcd = cluster.Etcd)
        {
            var hosts = await etcd.RangeAsync(KeyLayout.HostsPrefix, prefix: true);
            Assert.Equal(new[] { "/dokkaa/hosts/h1", "/dokkaa/hosts/h2", "/dokkaa/hosts/h3" }, hosts.Kvs.Select(kv => kv.Key).Order(StringComparer.Ordinal));
            foreach (var kv in hosts.Kvs)
            {
                using var record = JsonDocument.Parse(kv.Value);
                Assert.Equal(state.Host(kv.Key[KeyLayout.HostsPrefix.Length..]).Address, record.RootElement.GetProperty("address").GetString());
                Assert.NotEqual(0, kv.Lease);
            }
        }

        // An image from the machine's daemon lands in every host's daemon.
        await cluster.DevOkAsync("load", TestImage.Name);
        foreach (var host in state.Hosts)
            Assert.Equal(0, (await DevClusterHarness.DockerAsync(host, "image", "inspect", TestImage.Name)).ExitCode);

        // A container published on h2 is reachable at h2's address through the bridge: from h1's namespace, and from a container on h1.
        var run = await DevClusterHarness.DockerAsync(state.Hosts[1], "run", "-d", "--name", "web", "-p", "80", TestImage.Name);
        Assert.True(run.ExitCode == 0, run.All);
        var port = (await DevClusterHarness.DockerAsync(state.Hosts[1], "port", "web", "80/tcp")).StdOut.Split('\n')[0].Split(':')[^1].Trim();
        var url = $"http://{state.Hosts[1].Address}:{port}/";
        var body = await Poll.UntilAsync(async () => (await ProcessRunner.RunAsync("nsenter",
                $"--net={NetworkSetup.NetnsPath(state.Hosts[0].Namespace)}", "curl", "-s", "-m", "2", url)).StdOut.Trim(),
            text => text == "ok", $"h1's namespace to fetch {url}", TimeSpan.FromSeconds(20));
        Assert.Equal("ok", body);
        var fromContainer = await DevClusterHarness.DockerAsync(state.Hosts[0], "run", "--rm", TestImage.Name,
            "sh", "-c", $"printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 2 {state.Hosts[1].Address} {port}");
        Assert.True(fromContainer.ExitCode == 0, fromContainer.All);
        Assert.EndsWith("ok", fromContainer.StdOut.Trim(), StringComparison.Ordinal);

        // Down with that container still running: nothing may stay behind.
        await cluster.DownAndVerifyAsync();
    }

    [Fact]
    public async Task Kill_takes_a_host_down_with_its_containers_and_restart_brings_it_back()
    {
        await TestImage.EnsureOnMachineAsync();
        await using var cluster = await DevClusterHarness.UpAsync(_output);
        await cluster.DevOkAsync("load", TestImage.Name);
        var before = cluster.State.Host("h1");
        var run = await DevClusterHarness.DockerAsync(before, "run", "-d", "--name", "web", TestImage.Name);
        Assert.True(run.ExitCode == 0, run.All);
        var tree = await ProcessTable.HostTreeAsync(before.Namespace);
        Assert.Contains(tree, p => ProcessTable.CommandLine(p).Contains("httpd", StringComparison.Ordinal));
        var shimSockets = HostCleanup.ShimSockets(tree);
        Assert.NotEmpty(shimSockets);

        var stopwatch = Stopwatch.StartNew();
        await cluster.DevOkAsync("kill", "h1");
        Assert.False(ProcessTable.IsAlive(before.AgentPid));
        Assert.False(ProcessTable.IsAlive(before.DockerPid));
        Assert.DoesNotContain(tree, ProcessTable.IsAlive);
        Assert.Empty(await ProcessTable.HostTreeAsync(before.Namespace));
        Assert.DoesNotContain(shimSockets, File.Exists);
        Assert.False(await DockerDaemonLauncher.PingAsync(before.DockerSocketPath));

        // Its lease runs out: its key goes, the others stay.
        var hosts = await Poll.UntilAsync(cluster.RegisteredHostsAsync, h => !h.Contains("h1"), "h1's key to expire", LeaseTtl + TimeSpan.FromSeconds(10));
        _output.WriteLine($"h1 gone from {KeyLayout.HostsPrefix} {stopwatch.Elapsed.TotalSeconds:0.0}s after the kill");
        Assert.Equal(new[] { "h2", "h3" }, hosts);

        // Kill h3 too and restart both at once, h3 right after its kill (its old processes may still be unreaped
        // zombies that look alive to dockerd's pid-file checks); the two restarts must not lose each other's pids.
        var h3Before = cluster.State.Host("h3");
        await cluster.DevOkAsync("kill", "h3");
        await Task.WhenAll(cluster.DevOkAsync("restart", "h1"), cluster.DevOkAsync("restart", "h3"));
        var h3After = cluster.State.Host("h3");
        Assert.NotEqual(h3Before.DockerPid, h3After.DockerPid);
        Assert.True(ProcessTable.IsAlive(h3After.DockerPid, DockerDaemonLauncher.Comm));
        Assert.True(ProcessTable.IsAlive(h3After.AgentPid, AgentLauncher.Comm));
        var after = cluster.State.Host("h1");
        Assert.NotEqual(before.DockerPid, after.DockerPid);
        Assert.NotEqual(before.AgentPid, after.AgentPid);
        Assert.True(ProcessTable.IsAlive(after.DockerPid, DockerDaemonLauncher.Comm));
        Assert.True(ProcessTable.IsAlive(after.AgentPid, AgentLauncher.Comm));
        Assert.Equal(after.Namespace, await DevClusterHarness.NamespaceOfAsync(after.DockerPid));
        Assert.Equal(after.Namespace, await DevClusterHarness.NamespaceOfAsync(after.AgentPid));
        Assert.True(await DockerDaemonLauncher.PingAsync(after.DockerSocketPath));
        // The same data root: the container is still known to the daemon (exited: the host lost power).
        var state = await DevClusterHarness.DockerAsync(after, "inspect", "--format", "{{.State.Status}}", "web");
        Assert.Equal("exited", state.StdOut.Trim());
        await Poll.UntilAsync(cluster.RegisteredHostsAsync, h => h.SequenceEqual(new[] { "h1", "h2", "h3" }), "h1 to register again", TimeSpan.FromSeconds(20));

        // An agent-only restart keeps dockerd (and its containers).
        await cluster.DevOkAsync("restart", "h1");
        var again = cluster.State.Host("h1");
        Assert.Equal(after.DockerPid, again.DockerPid);
        Assert.NotEqual(after.AgentPid, again.AgentPid);
        Assert.False(ProcessTable.IsAlive(after.AgentPid));

        await cluster.DownAndVerifyAsync();
    }

    [Fact]
    public async Task Partition_expires_a_hosts_lease_and_heal_brings_it_back_without_restarting_anything()
    {
        await using var cluster = await DevClusterHarness.UpAsync(_output);
        var h2 = cluster.State.Host("h2");

        var stopwatch = Stopwatch.StartNew();
        await cluster.DevOkAsync("partition", "h2");
        Assert.Equal("down", await NetworkSetup.LinkStateAsync(h2.Veth));
        var status = JsonDocument.Parse(await cluster.CliOkAsync("dev", "status", "-o", "json", "--state", cluster.StatePath));
        Assert.Contains(status.RootElement.GetProperty("hosts").EnumerateArray(), h => h.GetProperty("name").GetString() == "h2" && h.GetProperty("link").GetString()!.StartsWith("down", StringComparison.Ordinal));

        var hosts = await Poll.UntilAsync(cluster.RegisteredHostsAsync, h => !h.Contains("h2"), "h2's key to expire while partitioned", LeaseTtl + TimeSpan.FromSeconds(10));
        _output.WriteLine($"h2 gone from {KeyLayout.HostsPrefix} {stopwatch.Elapsed.TotalSeconds:0.0}s after the partition");
        Assert.Equal(new[] { "h1", "h3" }, hosts);
        // Cut off, not dead.
        Assert.True(ProcessTable.IsAlive(h2.AgentPid, AgentLauncher.Comm));
        Assert.True(ProcessTable.IsAlive(h2.DockerPid, DockerDaemonLauncher.Comm));
        Assert.True(await DockerDaemonLauncher.PingAsync(h2.DockerSocketPath));

        stopwatch.Restart();
        await cluster.DevOkAsync("heal", "h2");
        Assert.Equal("up", await NetworkSetup.LinkStateAsync(h2.Veth));
        await Poll.UntilAsync(cluster.RegisteredHostsAsync, h => h.SequenceEqual(new[] { "h1", "h2", "h3" }), "h2 to register again after heal", TimeSpan.FromSeconds(20));
        _output.WriteLine($"h2 back in {KeyLayout.HostsPrefix} {stopwatch.Elapsed.TotalSeconds:0.0}s after heal");
        Assert.Equal(h2.AgentPid, cluster.State.Host("h2").AgentPid);
        Assert.True(ProcessTable.IsAlive(h2.AgentPid, AgentLauncher.Comm));

        await cluster.DownAndVerifyAsync();
    }

    [Fact]
    public async Task Killing_the_etcd_leader_elects_another_and_the_member_rejoins_after_start()
    {
        await using var cluster = await DevClusterHarness.UpAsync(_output);
        var leader = (await cluster.DevOkAsync("etcd", "leader")).Trim();
        Assert.Contains(leader, cluster.State.Etcd.Members.Select(m => m.Name));
        var oldPid = cluster.State.Member(leader).Pid;

        var stopwatch = Stopwatch.StartNew();
        await cluster.DevOkAsync("etcd", "kill", leader);
        Assert.False(ProcessTable.IsAlive(oldPid));
        var next = await Poll.UntilAsync(async () => (await cluster.CliAsync("dev", "etcd", "leader", "--state", cluster.StatePath)).StdOut.Trim(),
            name => name.Length > 0 && name != leader, "another etcd leader", TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(250));
        _output.WriteLine($"{next} leads {stopwatch.Elapsed.TotalSeconds:0.0}s after {leader} was killed");

        // The agents fail over to the other endpoints: all hosts stay registered beyond a lease TTL.
        var since = Stopwatch.StartNew();
        await Poll.UntilAsync(async () =>
        {
            var hosts = await cluster.RegisteredHostsAsync();
            Assert.Equal(new[] { "h1", "h2", "h3" }, hosts);
            return since.Elapsed > LeaseTtl * 2;
        }, "hosts to stay registered for two lease TTLs without the old leader", TimeSpan.FromSeconds(20));

        await cluster.DevOkAsync("etcd", "start", leader);
        var member = cluster.State.Member(leader);
        Assert.NotEqual(oldPid, member.Pid);
        Assert.True(ProcessTable.IsAlive(member.Pid, EtcdClusterLauncher.Comm));
        await Poll.UntilAsync(() => EtcdClusterLauncher.IsHealthyAsync(cluster.State.Etcd, member.ClientUrl), $"{leader} to be healthy again", TimeSpan.FromSeconds(20));
        var views = await Task.WhenAll(cluster.State.Etcd.Endpoints.Select(DevClusterHarness.MemberListAsync));
        Assert.Single(views.Select(v => v.ClusterId).Distinct());

        await cluster.DownAndVerifyAsync();
    }

    [Fact]
    public async Task Up_refuses_a_leftover_bridge_and_says_how_to_clean_it_up()
    {
        Assert.True(Sys.EffectiveUid() == 0, "needs root");
        var name = "t" + Guid.NewGuid().ToString("N")[..4];
        var bridge = DevPlan.BridgeName(name);
        var statePath = Path.Combine(Path.GetTempPath(), $"dokkaa-dev-{name}.json");
        await Sys.CheckAsync("ip", "link", "add", bridge, "type", "bridge");
        try
        {
            var result = await ProcessRunner.RunAsync(RepoPaths.Cli, "dev", "up", "--name", name, "--state", statePath, "--agent", RepoPaths.Agent);
            _output.WriteLine(result.All);
            Assert.Equal(1, result.ExitCode);
            Assert.Contains($"link {bridge}", result.StdErr, StringComparison.Ordinal);
            Assert.Contains($"dokkaa dev down --force --name {name}", result.StdErr, StringComparison.Ordinal);
            Assert.False(File.Exists(statePath));

            var down = await ProcessRunner.RunAsync(RepoPaths.Cli, "dev", "down", "--force", "--name", name, "--state", statePath);
            _output.WriteLine(down.All);
            Assert.Equal(0, down.ExitCode);
            Assert.False(await NetworkSetup.LinkExistsAsync(bridge));
        }
        finally
        {
            await Sys.RunAsync("ip", "link", "del", bridge);
        }
    }
}
