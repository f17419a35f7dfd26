using System.Diagnostics;
using System.Globalization;
using Dokkaa.Agent.Docker;
using Dokkaa.Core.Cluster;
using Dokkaa.Core.Operations;
using Dokkaa.Dev;
using Dokkaa.Etcd;
using Dokkaa.Testing;
using Dokkaa.Testing.Dev;
using Xunit;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Dokkaa.Cluster.Tests.Support;

/// <summary>
/// One real <c>dokkaa dev up --hosts 3</c> cluster for one test class: a unique name and /24 (so classes that run
/// in parallel, other test projects and a developer's own <c>dev</c> cluster never meet), the test image loaded
/// into every host's daemon, an etcd client and <see cref="ClusterOperations"/> on the cluster's endpoints, and a
/// Docker client per host on that host's own socket. Disposal runs <c>dokkaa dev down</c> and then fails if
/// anything of the cluster is left on the machine (namespace, link, mount, process, iptables rule, cgroup, file).
/// </summary>
public abstract class ClusterFixture : IAsyncLifetime
{

    // Each fixture of this process takes the next /24 of 10.213.10-99 from a random start (dokkaa dev's own tests
    // use 10.213.100-249, its default is 10.213.0.0/24); up retries with the next one if the machine uses it.
    private static int s_nextSubnet = Random.Shared.Next(10, 100);

    private readonly IMessageSink _sink;
    private readonly Dictionary<string, DockerClient> _docker = new(StringComparer.Ordinal);
    private MachineSnapshot? _before;
    private bool _failed;

    protected ClusterFixture(IMessageSink sink, string leaseTtl)
    {
        _sink = sink;
        LeaseTtl = leaseTtl;
        Ttl = Core.Units.Durations.Parse(leaseTtl, "--lease-ttl");
        Name = "c" + Guid.NewGuid().ToString("N")[..5];
        StatePath = Path.Combine(Path.GetTempPath(), $"dokkaa-cluster-{Name}.json");
    }

    /// <summary>
    /// DOKKAA_TEST_SECURE=1 runs the suite on <c>dokkaa dev up --secure</c> clusters: etcd with TLS, client
    /// certificates and auth, the agents as user agent, the tests and their CLI calls as user operator.
    /// </summary>
    public static bool Secure { get; } = Environment.GetEnvironmentVariable("DOKKAA_TEST_SECURE") == "1";

    public string Name { get; }

    public string Subnet { get; private set; } = "";

    public string StatePath { get; }

    public string LeaseTtl { get; }

    public TimeSpan Ttl { get; }

    /// <summary>Read again on each access: kill, restart and etcd start update the pids in the file.</summary>
    public DevClusterState State => DevClusterState.Load(StatePath);

    public IReadOnlyList<string> HostNames { get; private set; } = Array.Empty<string>();

    public GrpcEtcdClient Etcd { get; private set; } = null!;

    public ClusterOperations Ops { get; private set; } = null!;

    /// <summary>What <c>dokkaa dev up</c> and <c>load</c> took, for the tests to print.</summary>
    public string SetupReport { get; private set; } = "";

    public DockerClient Docker(string host) => _docker[host];

    public async Task InitializeAsync()
    {
        Assert.True(Sys.EffectiveUid() == 0, "the cluster tests need root (network namespaces, dockerd)");
        Assert.True(File.Exists(RepoPaths.Cli), $"{RepoPaths.Cli} is missing: build the solution first (dotnet build Dokkaa.sln)");
        Assert.True(File.Exists(RepoPaths.Agent), $"{RepoPaths.Agent} is missing: build the solution first (dotnet build Dokkaa.sln)");
        await TestImage.EnsureOnMachineAsync();
        _before = await MachineSnapshot.TakeAsync();

        var up = Stopwatch.StartNew();
        for (var attempt = 1; ; attempt++)
        {
            Subnet = $"10.213.{10 + (Interlocked.Increment(ref s_nextSubnet) % 90)}.0/24";
            var result = await RunCliAsync(null, new[] { "dev", "up", "--hosts", "3", "--name", Name, "--subnet", Subnet, "--lease-ttl", LeaseTtl,
                "--agent", RepoPaths.Agent, "--state", StatePath }.Concat(Secure ? new[] { "--secure" } : Array.Empty<string>()).ToArray());
            if (result.ExitCode == 0)
                break;
            if (attempt >= 5 || !result.StdErr.Contains("overlaps this machine's", StringComparison.Ordinal))
            {
                await DownAsync(force: true);
                throw new InvalidOperationException($"dokkaa dev up failed with {result.ExitCode}: {result.All}");
            }
        }

        var upTime = up.Elapsed;
        var load = Stopwatch.StartNew();
        await DevAsync(null, "load", TestImage.Name);
        SetupReport = $"cluster {Name} ({Subnet}, lease ttl {LeaseTtl}{(Secure ? ", secured etcd" : "")}): dev up {upTime.TotalSeconds:0.0}s, load {load.Elapsed.TotalSeconds:0.0}s";
        Log(SetupReport);

        var state = State;
        HostNames = state.Hosts.Select(h => h.Name).ToList();
        foreach (var host in state.Hosts)
            _docker[host.Name] = DockerClient.FromEndpoint(host.DockerSocket, new DockerClientOptions { RequestTimeout = TimeSpan.FromSeconds(10) });
        Etcd = DevEtcdAccess.Client(state.Etcd);
        Ops = new ClusterOperations(Etcd);
    }

    public async Task DisposeAsync()
    {
        Etcd?.Dispose();
        foreach (var client in _docker.Values)
            client.Dispose();
        if (!File.Exists(StatePath))
        {
            await DownAsync(force: true);
            return;
        }

        var state = State;
        if (_failed)
            KeepLogs(state);
        var pids = new HashSet<int>();
        var shimSockets = new HashSet<string>(StringComparer.Ordinal);
        foreach (var host in state.Hosts)
        {
            var tree = await ProcessTable.HostTreeAsync(host.Namespace);
            pids.UnionWith(tree);
            shimSockets.UnionWith(HostCleanup.ShimSockets(tree));
        }

        pids.UnionWith(state.Etcd.Members.Select(m => m.Pid).Where(p => p > 0));
        var down = await RunCliAsync(null, "dev", "down", "--state", StatePath);
        if (down.ExitCode != 0)
        {
            await DownAsync(force: true);
            throw new InvalidOperationException($"dokkaa dev down failed with {down.ExitCode}: {down.All}");
        }

        // Killed processes are reaped by init shortly after.
        await Poll.UntilAsync(() => Task.FromResult(pids.Where(ProcessTable.IsAlive).ToList()), alive => alive.Count == 0,
            $"every process of cluster {Name} to be gone", TimeSpan.FromSeconds(15));
        var after = await MachineSnapshot.TakeAsync();
        Log($"cluster {Name}: down; new on the machine since before up (anyone's): {after.Without(_before!).Describe()}");

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
        Assert.DoesNotContain(state.Bridge, after.Links);
        Assert.DoesNotContain(shimSockets, File.Exists);
        Assert.False(Directory.Exists(state.WorkDir), state.WorkDir);
        Assert.False(Directory.Exists(state.RunDir), state.RunDir);
        Assert.False(File.Exists(StatePath), StatePath);
        Assert.False(File.Exists(DevStateLock.LockPath(StatePath)), DevStateLock.LockPath(StatePath));
    }

    /// <summary>
    /// Runs a test body that uses app <paramref name="app"/>. On failure it keeps the cluster's logs and writes the
    /// tail of each agent's log to the test output. Either way it then puts the cluster back as the next test of the
    /// class expects it (hosts, links and etcd members up, no drain or evict request, no manifest of the app left),
    /// so that one failure does not spill into the other tests of the class.
    /// </summary>
    public async Task GuardAsync(ITestOutputHelper output, string app, Func<Task> body)
    {
        output.WriteLine(SetupReport);
        try
        {
            await body();
        }
        catch
        {
            _failed = true;
            try
            {
                foreach (var host in State.Hosts)
                {
                    output.WriteLine($"--- {host.Name} agent log (last lines) ---");
                    output.WriteLine(Sys.Tail(host.AgentLog, 40));
                }

                await RestoreAsync(output);
                await RemoveAppAsync(app);
            }
            catch (Exception e)
            {
                output.WriteLine($"(cleanup after the failure failed too: {e.Message})");
            }

            throw;
        }

        await RestoreAsync(output);
        await RemoveAppAsync(app, output);
    }

    /// <summary>Restarts killed hosts, heals partitioned ones, starts killed etcd members, drops drain and evict requests.</summary>
    public async Task RestoreAsync(ITestOutputHelper? output)
    {
        var state = State;
        foreach (var member in state.Etcd.Members.Where(m => !ProcessTable.IsAlive(m.Pid, EtcdClusterLauncher.Comm)))
            await DevAsync(output, "etcd", "start", member.Name);
        foreach (var host in state.Hosts)
        {
            if (await NetworkSetup.LinkStateAsync(host.Veth) != "up")
                await DevAsync(output, "heal", host.Name);
            if (!ProcessTable.IsAlive(host.AgentPid, AgentLauncher.Comm) || !ProcessTable.IsAlive(host.DockerPid, DockerDaemonLauncher.Comm))
                await DevAsync(output, "restart", host.Name);
        }

        await Poll.UntilAsync(async () =>
        {
            await Etcd.DeleteAsync(KeyLayout.DrainPrefix, prefix: true);
            await Etcd.DeleteAsync(KeyLayout.EvictPrefix, prefix: true);
            return true;
        }, ok => ok, "etcd to take the clean-up deletes", TimeSpan.FromSeconds(30));
        await WaitAllRegisteredAsync(TimeSpan.FromSeconds(60));
    }

    /// <summary>
    /// Deletes every manifest of an app and waits until no claim and no container of it is left. What is left at
    /// the deadline is named (claim keys with their owner, containers per host), with the tail of every agent's log.
    /// </summary>
    public async Task RemoveAppAsync(string app, ITestOutputHelper? output = null)
    {
        await Etcd.DeleteAsync(KeyLayout.AppPrefix(app), prefix: true);
        var labels = new Dictionary<string, string?> { [ContainerNames.AppLabel] = app };
        var stopwatch = Stopwatch.StartNew();
        try
        {
            await Poll.UntilAsync(async () =>
            {
                var claims = (await Etcd.RangeAsync(KeyLayout.InstancesPrefix + app + "/", prefix: true)).Kvs
                    .Select(kv => $"{kv.Key} ({ClusterJson.TryDeserialize<InstanceRecord>(kv.Value)?.Host})").ToList();
                var containers = new List<string>();
                foreach (var host in HostNames)
                    containers.AddRange((await Docker(host).ListContainersAsync(labels)).Select(c => $"{host}:{c.Name} {c.State}"));
                return new Leftovers(claims, containers);
            }, left => left.Claims.Count == 0 && left.Containers.Count == 0, $"no claim and no container of app {app} to be left", TimeSpan.FromSeconds(90));
            output?.WriteLine($"app {app} removed (every claim and container) {Figures.Seconds(stopwatch.Elapsed)} after its manifests were deleted");
        }
        catch (TimeoutException) when (output is not null)
        {
            _failed = true;
            foreach (var host in State.Hosts)
            {
                output.WriteLine($"--- {host.Name} agent log (last lines) ---");
                output.WriteLine(Sys.Tail(host.AgentLog, 60));
            }

            throw;
        }
    }

    private sealed record Leftovers(IReadOnlyList<string> Claims, IReadOnlyList<string> Containers)
    {
        public override string ToString() => $"claims [{string.Join(", ", Claims)}], containers [{string.Join(", ", Containers)}]";
    }

    /// <summary><c>dokkaa dev ARGS --state FILE</c>; fails the test unless it exits 0.</summary>
    public async Task<string> DevAsync(ITestOutputHelper? output, params string[] args)
    {
        var result = await RunCliAsync(output, new[] { "dev" }.Concat(args).Concat(new[] { "--state", StatePath }).ToArray());
        if (result.ExitCode != 0)
            throw new XunitException($"dokkaa dev {string.Join(' ', args)} failed with {result.ExitCode}: {result.All}");
        return result.StdOut;
    }

    /// <summary><c>dokkaa ARGS --etcd ENDPOINTS</c> (the operator's commands: drain, rebalance ...), as user operator on a secured cluster; fails the test unless it exits 0.</summary>
    public async Task<string> DokkaaAsync(ITestOutputHelper? output, params string[] args)
    {
        var etcd = State.Etcd;
        var connection = new[] { "--etcd", string.Join(',', etcd.Endpoints) }.Concat(etcd.Security is { } security ? security.Flags(security.Operator) : Array.Empty<string>());
        var result = await RunCliAsync(output, args.Concat(connection).ToArray());
        if (result.ExitCode != 0)
            throw new XunitException($"dokkaa {string.Join(' ', args)} failed with {result.ExitCode}: {result.All}");
        return result.StdOut;
    }

    /// <summary>The hosts whose key is in etcd now (their lease is alive).</summary>
    public async Task<IReadOnlyList<string>> RegisteredHostsAsync()
    {
        var range = await Etcd.RangeAsync(KeyLayout.HostsPrefix, prefix: true);
        return range.Kvs.Select(kv => kv.Key[KeyLayout.HostsPrefix.Length..]).Order(StringComparer.Ordinal).ToList();
    }

    public Task WaitAllRegisteredAsync(TimeSpan? timeout = null) =>
        Poll.UntilAsync(RegisteredHostsAsync, hosts => hosts.SequenceEqual(HostNames), "every host to be registered", timeout ?? TimeSpan.FromSeconds(30));

    private async Task<ProcessRunner.Result> RunCliAsync(ITestOutputHelper? output, params string[] args)
    {
        var stopwatch = Stopwatch.StartNew();
        var result = await ProcessRunner.RunAsync(RepoPaths.Cli, args, timeout: TimeSpan.FromMinutes(3));
        var line = $"$ dokkaa {string.Join(' ', args.Where(a => a != StatePath))}   [{stopwatch.Elapsed.TotalSeconds:0.00}s, exit {result.ExitCode}]";
        if (output is not null)
        {
            output.WriteLine(line);
            foreach (var text in result.All.Split('\n', StringSplitOptions.RemoveEmptyEntries).Take(20))
                output.WriteLine("  " + text);
        }
        else
        {
            Log(line);
        }

        return result;
    }

    private async Task DownAsync(bool force)
    {
        var args = new List<string> { "dev", "down", "--state", StatePath };
        if (force)
            args.AddRange(new[] { "--force", "--name", Name });
        var result = await RunCliAsync(null, args.ToArray());
        if (result.ExitCode != 0)
            Log($"cluster {Name}: cleanup failed: {result.All}");
    }

    private void KeepLogs(DevClusterState state)
    {
        try
        {
            var keep = Path.Combine(Path.GetTempPath(), $"dokkaa-cluster-logs-{Name}");
            Directory.CreateDirectory(keep);
            foreach (var file in Directory.EnumerateFiles(state.LogDir))
                File.Copy(file, Path.Combine(keep, Path.GetFileName(file)), overwrite: true);
            Log($"cluster {Name}: a test failed; logs kept in {keep}");
        }
        catch (IOException e)
        {
            Log($"cluster {Name}: could not keep the logs: {e.Message}");
        }
    }

    private void Log(string message) => _sink.OnMessage(new DiagnosticMessage($"[{DateTime.UtcNow.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture)}] {message}"));
}

/// <summary>A cluster whose agents run with <c>--lease-ttl 2s</c> (fast failover).</summary>
public sealed class FastCluster : ClusterFixture
{
    public FastCluster(IMessageSink sink) : base(sink, "2s")
    {
    }
}

/// <summary>A cluster whose agents run with the default lease TTL (10 s).</summary>
public sealed class DefaultTtlCluster : ClusterFixture
{
    public DefaultTtlCluster(IMessageSink sink) : base(sink, "10s")
    {
    }
}
