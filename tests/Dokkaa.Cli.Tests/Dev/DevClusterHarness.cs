using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Dokkaa.Core.Cluster;
using Dokkaa.Dev;
using Dokkaa.Etcd;
using Dokkaa.Testing;
using Dokkaa.Testing.Dev;
using Xunit;
using Xunit.Abstractions;

namespace Dokkaa.Cli.Tests.Dev;

/// <summary>
/// One dev cluster for one test, driven through the built <c>dokkaa</c> executable: a unique name and subnet
/// (so that it cannot meet a developer's own <c>dev</c> cluster or another test run), a snapshot of the
/// machine before <c>up</c>, and after <c>down</c> a check that nothing of the cluster is left: no namespace,
/// link, mount, process, iptables rule, cgroup, shim socket or file.
/// </summary>
public sealed class DevClusterHarness : IAsyncDisposable
{
    private readonly ITestOutputHelper _output;
    private readonly MachineSnapshot _before;
    private readonly HashSet<int> _pidsSeen = new();
    private readonly HashSet<string> _shimSocketsSeen = new(StringComparer.Ordinal);
    private bool _down;

    private DevClusterHarness(ITestOutputHelper output, string name, string subnet, string statePath, MachineSnapshot before)
    {
        _output = output;
        Name = name;
        Subnet = subnet;
        StatePath = statePath;
        _before = before;
    }

    public string Name { get; }

    public string Subnet { get; }

    public string StatePath { get; }

    public DevClusterState State => DevClusterState.Load(StatePath);

    public GrpcEtcdClient Etcd => EtcdClients.Create(string.Join(',', State.Etcd.Endpoints));

    public static async Task<DevClusterHarness> UpAsync(ITestOutputHelper output, int hosts = 3, string leaseTtl = "2s")
    {
        Assert.True(Sys.EffectiveUid() == 0, "the dev cluster tests need root (network namespaces, dockerd)");
        Assert.True(File.Exists(RepoPaths.Cli), $"{RepoPaths.Cli} is missing: build the solution first");
        Assert.True(File.Exists(RepoPaths.Agent), $"{RepoPaths.Agent} is missing: build the solution first (dotnet build Dokkaa.sln)");
        for (var attempt = 1; ; attempt++)
        {
            // A random name and /24, so that another run (or a developer's own cluster) on this machine is no clash.
            var name = "t" + Guid.NewGuid().ToString("N")[..4];
            var subnet = $"10.213.{Random.Shared.Next(100, 250)}.0/24";
            var statePath = Path.Combine(Path.GetTempPath(), $"dokkaa-dev-{name}.json");
            var harness = new DevClusterHarness(output, name, subnet, statePath, await MachineSnapshot.TakeAsync());
            var stopwatch = Stopwatch.StartNew();
            var up = await harness.CliAsync("dev", "up", "--hosts", hosts.ToString(System.Globalization.CultureInfo.InvariantCulture), "--name", name, "--subnet", subnet,
                "--lease-ttl", leaseTtl, "--agent", RepoPaths.Agent, "--state", statePath);
            if (up.ExitCode == 0)
            {
                output.WriteLine($"[{name}] dev up --hosts {hosts}: {stopwatch.Elapsed.TotalSeconds:0.0}s");
                return harness;
            }

            await harness.DisposeAsync();
            if (attempt >= 3 || !up.StdErr.Contains("overlaps this machine's", StringComparison.Ordinal))
                Assert.Fail($"dokkaa dev up failed with {up.ExitCode}: {up.All}");
        }
    }

    public async Task<ProcessRunner.Result> CliAsync(params string[] args)
    {
        var stopwatch = Stopwatch.StartNew();
        var result = await ProcessRunner.RunAsync(RepoPaths.Cli, args, timeout: TimeSpan.FromMinutes(3));
        _output.WriteLine($"$ dokkaa {string.Join(' ', args)}   [{stopwatch.Elapsed.TotalSeconds:0.0}s, exit {result.ExitCode}]");
        foreach (var line in result.All.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            _output.WriteLine("  " + line);
        return result;
    }

    public async Task<string> CliOkAsync(params string[] args)
    {
        var result = await CliAsync(args);
        Assert.True(result.ExitCode == 0, $"dokkaa {string.Join(' ', args)} failed with {result.ExitCode}: {result.All}");
        return result.StdOut;
    }

    /// <summary>A dev command against this cluster's state file.</summary>
    public Task<string> DevOkAsync(params string[] args) => CliOkAsync(new[] { "dev" }.Concat(args).Concat(new[] { "--state", StatePath }).ToArray());

    public static async Task<ProcessRunner.Result> DockerAsync(DevHost host, params string[] args) =>
        await ProcessRunner.RunAsync("docker", new[] { "-H", host.DockerSocket }.Concat(args));

    public async Task<IReadOnlyList<string>> RegisteredHostsAsync()
    {
        using var etcd = Etcd;
        var range = await etcd.RangeAsync(KeyLayout.HostsPrefix, prefix: true);
        return range.Kvs.Select(kv => kv.Key[KeyLayout.HostsPrefix.Length..]).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>The network namespace a process is in, by name (<c>ip netns identify</c>).</summary>
    public static async Task<string> NamespaceOfAsync(int pid) =>
        (await ProcessRunner.RunAsync("ip", "netns", "identify", pid.ToString(System.Globalization.CultureInfo.InvariantCulture))).StdOut.Trim();

    /// <summary>Remembers every process and shim socket of the cluster as it is now, to check after down that they are gone.</summary>
    public async Task RecordProcessesAsync()
    {
        var state = State;
        foreach (var host in state.Hosts)
        {
            var tree = await ProcessTable.HostTreeAsync(host.Namespace);
            _pidsSeen.UnionWith(tree);
            _shimSocketsSeen.UnionWith(HostCleanup.ShimSockets(tree));
        }

        _pidsSeen.UnionWith(state.Etcd.Members.Select(m => m.Pid).Where(p => p > 0));
    }

    /// <summary>dev down, then: nothing of the cluster may be left on the machine.</summary>
    public async Task DownAndVerifyAsync()
    {
        var state = State;
        await RecordProcessesAsync();
        var stopwatch = Stopwatch.StartNew();
        await DevOkAsync("down");
        _output.WriteLine($"[{Name}] dev down: {stopwatch.Elapsed.TotalSeconds:0.0}s; {_pidsSeen.Count} processes and {_shimSocketsSeen.Count} shim sockets were the cluster's");
        _down = true;

        // The processes were killed by down; their parent (init) reaps them shortly after.
        await Poll.UntilAsync(() => Task.FromResult(_pidsSeen.Where(ProcessTable.IsAlive).ToList()), alive => alive.Count == 0,
            "every process of the cluster to be gone", TimeSpan.FromSeconds(10));
        var after = await MachineSnapshot.TakeAsync();
        var diff = after.Without(_before);
        _output.WriteLine($"[{Name}] new on the machine since before up (anyone's): {diff.Describe()}");

        bool Ours(string text) =>
            text.Contains(state.WorkDir, StringComparison.Ordinal) || text.Contains(state.RunDir, StringComparison.Ordinal)
            || text.Contains($"dk-{Name}-", StringComparison.Ordinal) || text.Contains(DevPlan.IptablesComment(Name), StringComparison.Ordinal)
            || text.Contains(DevPlan.CgroupPrefix(Name), StringComparison.Ordinal) || text.Contains(state.BridgeAddress + ":", StringComparison.Ordinal);

        Assert.DoesNotContain(after.Namespaces, Ours);
        Assert.DoesNotContain(after.Links, Ours);
        Assert.DoesNotContain(after.Mounts, Ours);
        Assert.DoesNotContain(after.Processes, Ours);
        Assert.DoesNotContain(after.IptablesRules, Ours);
        Assert.DoesNotContain(after.Cgroups, Ours);
        Assert.DoesNotContain(_shimSocketsSeen, File.Exists);
        Assert.False(Directory.Exists(state.WorkDir), state.WorkDir);
        Assert.False(Directory.Exists(state.RunDir), state.RunDir);
        Assert.False(File.Exists(StatePath), StatePath);
        Assert.False(File.Exists(DevStateLock.LockPath(StatePath)), DevStateLock.LockPath(StatePath));
        Assert.DoesNotContain(state.Bridge, after.Links);
    }

    /// <summary>If a test failed before its own down: remove the cluster anyway (by state file, then by name).</summary>
    public async ValueTask DisposeAsync()
    {
        if (_down)
            return;
        _down = true;
        // Keep the logs of a failed test: down deletes them with the cluster.
        try
        {
            var logs = State.LogDir;
            var keep = Path.Combine(Path.GetTempPath(), $"dokkaa-dev-logs-{Name}");
            Directory.CreateDirectory(keep);
            foreach (var file in Directory.EnumerateFiles(logs))
                File.Copy(file, Path.Combine(keep, Path.GetFileName(file)), overwrite: true);
            _output.WriteLine($"[{Name}] logs kept in {keep}");
        }
        catch (Exception e) when (e is IOException or DevException or UnauthorizedAccessException)
        {
            _output.WriteLine($"[{Name}] could not keep the logs: {e.Message}");
        }

        var result = await CliAsync("dev", "down", "--state", StatePath, "--force", "--name", Name);
        if (result.ExitCode != 0)
            _output.WriteLine($"[{Name}] cleanup after a failed test failed too: {result.All}");
    }

    /// <summary>etcd's own view of its members (<c>/v3/cluster/member/list</c>) and the cluster id, from one endpoint.</summary>
    public static async Task<(string ClusterId, IReadOnlyList<string> Members)> MemberListAsync(string endpoint)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        using var response = await http.PostAsJsonAsync(new Uri(endpoint + "/v3/cluster/member/list"), new { });
        response.EnsureSuccessStatusCode();
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var clusterId = doc.RootElement.GetProperty("header").GetProperty("cluster_id").ToString();
        var members = doc.RootElement.GetProperty("members").EnumerateArray()
            .Select(m => $"{m.GetProperty("name").GetString()} {string.Join(",", m.GetProperty("clientURLs").EnumerateArray().Select(u => u.GetString()))}")
            .Order(StringComparer.Ordinal).ToList();
        return (clusterId, members);
    }
}
