using Dokkaa.Core.Cluster;
using Dokkaa.Core.Etcd;

namespace Dokkaa.Dev;

/// <summary>What <c>dokkaa dev up</c> is asked for.</summary>
public sealed record DevUpOptions
{
    public required string StatePath { get; init; }
    public string Name { get; init; } = DevPlan.DefaultName;
    public int Hosts { get; init; } = 3;
    public string Subnet { get; init; } = DevPlan.DefaultSubnet;
    public string ContainerSubnet { get; init; } = DevPlan.DefaultContainerSubnet;
    public int EtcdMembers { get; init; } = 3;
    public int EtcdPort { get; init; } = DevPlan.DefaultEtcdPort;
    public string LeaseTtl { get; init; } = "10s";
    public string? Agent { get; init; }
    public bool Force { get; init; }
    public bool KeepOnFailure { get; init; }

    /// <summary>etcd with TLS, client certificates and auth (roles dokkaa-agent and dokkaa-operator).</summary>
    public bool Secure { get; init; }
}

/// <summary>
/// The dev cluster's operations: up, down, load, kill, restart, partition, heal, etcd kill/start/leader and
/// status. Each reads the state file, acts through the launchers and <see cref="NetworkSetup"/>, and writes
/// back the pids it changed.
/// </summary>
public sealed class DevCluster
{
    private static readonly TimeSpan EtcdTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan DockerTimeout = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan AgentTimeout = TimeSpan.FromSeconds(60);

    private readonly TextWriter _out;

    public DevCluster(TextWriter output) => _out = output;

    public async Task<DevClusterState> UpAsync(DevUpOptions options, CancellationToken cancellationToken = default)
    {
        Sys.RequireRoot();
        Sys.RequireTools(options.Secure);
        var agent = AgentLauncher.Locate(options.Agent);
        var plan = DevPlan.Create(options.Name, options.Hosts, options.Subnet, options.ContainerSubnet, options.EtcdMembers, options.EtcdPort, options.LeaseTtl, options.Secure);
        var statePath = Path.GetFullPath(options.StatePath);

        if (options.Force)
        {
            if (File.Exists(statePath))
            {
                DevClusterState? old = null;
                try
                {
                    old = DevClusterState.Load(statePath);
                }
                catch (DevException e)
                {
                    _out.WriteLine($"ignoring unreadable state file: {e.Message}");
                }

                if (old is not null)
                    await TeardownAsync(old.Name, old, statePath, cancellationToken).ConfigureAwait(false);
                File.Delete(statePath);
            }

            if ((await FindLeftoversAsync(plan.Name, null).ConfigureAwait(false)).Count > 0)
                await TeardownAsync(plan.Name, null, null, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            if (File.Exists(statePath))
            {
                throw new DevException($"{statePath} exists: a dev cluster is up already (or was not taken down). " +
                    $"Remove it with `dokkaa dev down --state {statePath}`, or pass --force to `dokkaa dev up` to replace it");
            }

            var leftovers = await FindLeftoversAsync(plan.Name, null).ConfigureAwait(false);
            if (leftovers.Count > 0)
            {
                throw new DevException($"a dev cluster named \"{plan.Name}\" left things behind (an earlier run that was not taken down?):{Environment.NewLine}" +
                    string.Join(Environment.NewLine, leftovers.Select(l => "    " + l)) + Environment.NewLine +
                    $"Remove them with `dokkaa dev down --force --name {plan.Name}`, or pass --force to `dokkaa dev up`, or choose another --name");
            }
        }

        await NetworkSetup.CheckSubnetsFreeAsync(plan).ConfigureAwait(false);
        var state = plan.ToState(agent);
        try
        {
            await CreateAsync(state, statePath, cancellationToken).ConfigureAwait(false);
            return state;
        }
        catch (Exception e) when (!options.KeepOnFailure && e is not OperationCanceledException)
        {
            _out.WriteLine($"dokkaa dev up failed; removing what it created (--keep-on-failure keeps it for a look): {e.Message}");
            try
            {
                await TeardownAsync(state.Name, state, statePath, CancellationToken.None).ConfigureAwait(false);
            }
            catch (DevException cleanup)
            {
                throw new DevException($"{e.Message}{Environment.NewLine}and the cleanup failed too: {cleanup.Message}", e);
            }

            throw;
        }
    }

    private async Task CreateAsync(DevClusterState state, string statePath, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(state.WorkDir);
        Directory.CreateDirectory(state.RunDir);
        Directory.CreateDirectory(state.LogDir);
        // Written first, so that `dokkaa dev down` can remove a half-made cluster.
        state.Save(statePath);

        _out.WriteLine($"network: bridge {state.Bridge} {state.BridgeAddress} ({state.Subnet}), {state.Hosts.Count} namespaces");
        await NetworkSetup.CreateBridgeAsync(state).ConfigureAwait(false);
        await NetworkSetup.AddIptablesRulesAsync(state).ConfigureAwait(false);
        foreach (var host in state.Hosts)
            await NetworkSetup.CreateHostAsync(state, host).ConfigureAwait(false);

        _out.WriteLine($"etcd: {state.Etcd.Members.Count} members on {string.Join(",", state.Etcd.Endpoints)}");
        EtcdClusterLauncher.CheckPortsFree(state);
        if (state.Etcd.Security is { } security)
        {
            _out.WriteLine($"etcd: TLS, client certificates and auth; CA, certificates and passwords in {security.Dir}");
            await DevCertificates.CreateAsync(security, state.Name, state.BridgeAddress, cancellationToken).ConfigureAwait(false);
        }

        foreach (var member in state.Etcd.Members)
            member.Pid = await EtcdClusterLauncher.StartAsync(state, member, cancellationToken).ConfigureAwait(false);
        state.Save(statePath);

        _out.WriteLine("docker: one dockerd per namespace");
        var tripwire = MachineTripwire.Arm();
        foreach (var host in state.Hosts)
            host.DockerPid = await DockerDaemonLauncher.StartAsync(state, host, cancellationToken).ConfigureAwait(false);
        state.Save(statePath);

        await EtcdClusterLauncher.WaitHealthyAsync(state, EtcdTimeout, cancellationToken).ConfigureAwait(false);
        if (state.Etcd.Security is not null)
            await DevEtcdAuth.EnableAsync(state, cancellationToken).ConfigureAwait(false);
        await Task.WhenAll(state.Hosts.Select(h => DockerDaemonLauncher.WaitReadyAsync(h, DockerTimeout, cancellationToken))).ConfigureAwait(false);
        tripwire.Check("the hosts' dockerds started");

        _out.WriteLine($"agents: {state.Agent} (lease ttl {state.LeaseTtl})");
        foreach (var host in state.Hosts)
            host.AgentPid = await AgentLauncher.StartAsync(state, host, cancellationToken).ConfigureAwait(false);
        state.Save(statePath);
        await AgentLauncher.WaitRegisteredAsync(state, state.Hosts, 0, AgentTimeout, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Removes a dev cluster completely: processes (agents, dockerds with containerd, shims and containers,
    /// etcd members), mounts, namespaces, links, iptables rules, cgroups, data, logs and the state file. Works
    /// from the state file when there is one and from the cluster name alone otherwise, and checks at the end
    /// that nothing is left.
    /// </summary>
    public async Task TeardownAsync(string name, DevClusterState? state, string? statePath, CancellationToken cancellationToken = default)
    {
        Sys.RequireRoot();
        var workDir = state?.WorkDir ?? DevPlan.WorkDir(name);
        var runDir = state?.RunDir ?? DevPlan.RunDir(name);
        var namespaces = (state?.Hosts.Select(h => h.Namespace) ?? Array.Empty<string>())
            .Concat(await NetworkSetup.NamespacesAsync(DevPlan.HostPrefix(name)).ConfigureAwait(false))
            .Distinct(StringComparer.Ordinal).ToList();

        var killed = 0;
        foreach (var netns in namespaces)
            killed += await HostCleanup.KillHostAsync(netns, cancellationToken).ConfigureAwait(false);

        // etcd members, and anything else started with our directories on its command line.
        for (var round = 0; ; round++)
        {
            var strays = (state?.Etcd.Members.Select(m => m.Pid).Where(p => ProcessTable.IsAlive(p, EtcdClusterLauncher.Comm)) ?? Array.Empty<int>())
                .Concat(ProcessTable.WithCommandLineContaining(workDir + "/"))
                .Concat(ProcessTable.WithCommandLineContaining(runDir + "/"))
                .Distinct().ToList();
            if (strays.Count == 0)
                break;
            if (round >= 5)
                throw new DevException($"processes keep coming back: {string.Join(", ", strays)}");
            var tree = ProcessTable.WithDescendants(strays);
            await ProcessTable.KillAsync(tree, cancellationToken).ConfigureAwait(false);
            killed += tree.Count;
        }

        var unmounted = await HostCleanup.UnmountUnderAsync(new[] { workDir, runDir }, cancellationToken).ConfigureAwait(false);
        // Veths first: deleting one end removes the pair at once, whereas a namespace is freed asynchronously.
        var existing = await NetworkSetup.LinksAsync().ConfigureAwait(false);
        var links = (state?.Hosts.Select(h => h.Veth) ?? Array.Empty<string>())
            .Concat(existing.Keys.Where(l => l.StartsWith($"dk-{name}-", StringComparison.Ordinal)))
            .Append(state?.Bridge ?? DevPlan.BridgeName(name))
            .Distinct(StringComparer.Ordinal).Where(existing.ContainsKey).ToList();
        foreach (var link in links)
            await NetworkSetup.DeleteLinkAsync(link).ConfigureAwait(false);
        foreach (var netns in namespaces)
            await NetworkSetup.DeleteNamespaceAsync(netns).ConfigureAwait(false);
        var rules = await NetworkSetup.RemoveIptablesRulesAsync(name).ConfigureAwait(false);
        var cgroups = await HostCleanup.RemoveCgroupsAsync(DevPlan.CgroupPrefix(name), cancellationToken).ConfigureAwait(false);

        foreach (var dir in new[] { workDir, runDir })
        {
            if (Directory.Exists(dir))
                Directory.Delete(dir, recursive: true);
        }

        if (statePath is not null)
            File.Delete(statePath);
        DeleteEmptyRoots();

        _out.WriteLine($"removed dev cluster \"{name}\": {killed} processes killed, {unmounted} mounts, {namespaces.Count} namespaces, " +
            $"{links.Count} links, {rules} iptables rules, {cgroups} cgroups, {workDir} and {runDir}");
        var leftovers = await FindLeftoversAsync(name, state).ConfigureAwait(false);
        if (leftovers.Count > 0)
            throw new DevException($"dev cluster \"{name}\" left things behind after down:{Environment.NewLine}{string.Join(Environment.NewLine, leftovers.Select(l => "    " + l))}");
    }

    /// <summary>Whatever exists of a cluster with this name: the checks `up` refuses on and `down` verifies with.</summary>
    public static async Task<IReadOnlyList<string>> FindLeftoversAsync(string name, DevClusterState? state)
    {
        var found = new List<string>();
        var workDir = state?.WorkDir ?? DevPlan.WorkDir(name);
        var runDir = state?.RunDir ?? DevPlan.RunDir(name);
        found.AddRange((await NetworkSetup.LinksAsync($"dk-{name}-").ConfigureAwait(false)).Select(l => $"link {l}"));
        found.AddRange((await NetworkSetup.NamespacesAsync(DevPlan.HostPrefix(name)).ConfigureAwait(false)).Select(n => $"network namespace {n}"));
        found.AddRange((await NetworkSetup.IptablesRulesAsync(name).ConfigureAwait(false)).Select(r => $"iptables rule {r}"));
        found.AddRange(new[] { workDir, runDir }.Where(Directory.Exists).Select(d => $"directory {d}"));
        found.AddRange(HostCleanup.MountsUnder(new[] { workDir, runDir }).Select(m => $"mount {m}"));
        found.AddRange(ProcessTable.WithCommandLineContaining(workDir + "/").Concat(ProcessTable.WithCommandLineContaining(runDir + "/"))
            .Distinct().Select(p => $"process {p} ({ProcessTable.Comm(p)})"));
        found.AddRange(HostCleanup.CgroupDirs(DevPlan.CgroupPrefix(name)).Select(c => $"cgroup {c}"));
        return found;
    }

    /// <summary>Copies images from the machine's Docker daemon into every host's daemon (docker save | docker load).</summary>
    public async Task<int> LoadAsync(DevClusterState state, IReadOnlyList<string> images, string from, CancellationToken cancellationToken = default)
    {
        // The machine's daemon may be restarting (tests do that); give it a minute before calling the image missing.
        await Deadline.UntilAsync(async () => (await Sys.RunAsync("docker", new[] { "-H", from, "version" }, TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false)).Ok,
            $"the Docker daemon at {from} to answer (start it: `dockerd >/tmp/dockerd.log 2>&1 &`)", TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false);
        foreach (var image in images)
        {
            var inspect = await Sys.RunAsync("docker", new[] { "-H", from, "image", "inspect", "--format", "{{.Id}}", image }, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (!inspect.Ok)
            {
                var hint = image.StartsWith("dokkaa/", StringComparison.Ordinal) || image.StartsWith("dockerfile/", StringComparison.Ordinal)
                    ? " (build it first: scripts/images/build-test-image.sh or scripts/images/build-example-images.sh)"
                    : "";
                throw new DevException($"image {image} is not in the Docker daemon at {from}{hint}: {inspect.StdErr.Trim()}");
            }
        }

        var tar = Path.Combine(state.WorkDir, "images", $"load-{Guid.NewGuid():N}.tar");
        Directory.CreateDirectory(Path.GetDirectoryName(tar)!);
        try
        {
            await Sys.CheckAsync("docker", new[] { "-H", from, "save", "-o", tar }.Concat(images), TimeSpan.FromMinutes(10), cancellationToken).ConfigureAwait(false);
            var results = await Task.WhenAll(state.Hosts.Select(async host =>
            {
                if (!ProcessTable.IsAlive(host.DockerPid, DockerDaemonLauncher.Comm))
                    return $"{host.Name}: dockerd is not running (`dokkaa dev restart {host.Name}`)";
                var result = await Sys.RunAsync("docker", new[] { "-H", host.DockerSocket, "load", "-i", tar }, TimeSpan.FromMinutes(10), cancellationToken).ConfigureAwait(false);
                return result.Ok ? null : $"{host.Name}: docker load failed: {result.StdErr.Trim()}";
            })).ConfigureAwait(false);
            var errors = results.OfType<string>().ToList();
            foreach (var host in state.Hosts.Where(h => !errors.Any(e => e.StartsWith(h.Name + ":", StringComparison.Ordinal))))
                _out.WriteLine($"{host.Name}: loaded {string.Join(", ", images)}");
            foreach (var error in errors)
                _out.WriteLine(error);
            return errors.Count == 0 ? 0 : 1;
        }
        finally
        {
            File.Delete(tar);
        }
    }

    /// <summary>A host dies: kill -9 its agent, dockerd and everything they run (or only the agent).</summary>
    public async Task KillAsync(DevClusterState state, string hostName, bool agentOnly, CancellationToken cancellationToken = default)
    {
        Sys.RequireRoot();
        var host = state.Host(hostName);
        if (agentOnly)
        {
            if (ProcessTable.IsAlive(host.AgentPid, AgentLauncher.Comm))
                await ProcessTable.KillAsync(new[] { host.AgentPid }, cancellationToken).ConfigureAwait(false);
            _out.WriteLine($"{host.Name}: agent {host.AgentPid} killed");
            return;
        }

        var count = await HostCleanup.KillHostAsync(host.Namespace, cancellationToken).ConfigureAwait(false);
        _out.WriteLine($"{host.Name}: killed agent {host.AgentPid}, dockerd {host.DockerPid} and {Math.Max(0, count - 2)} other processes (containerd, shims, containers)");
    }

    /// <summary>Starts dockerd again if it is dead (after clearing what a crash leaves), and (re)starts the agent.</summary>
    public async Task RestartAsync(DevClusterState state, string statePath, string hostName, CancellationToken cancellationToken = default)
    {
        Sys.RequireRoot();
        var host = state.Host(hostName);
        if (!File.Exists(NetworkSetup.NetnsPath(host.Namespace)))
            throw new DevException($"network namespace {host.Namespace} of {host.Name} is gone; the cluster is broken: `dokkaa dev down --state {statePath}` and up again");

        if (ProcessTable.IsAlive(host.AgentPid, AgentLauncher.Comm))
        {
            await ProcessTable.SignalAsync(new[] { host.AgentPid }, "TERM", cancellationToken).ConfigureAwait(false);
            if (!await ProcessTable.WaitGoneAsync(new[] { host.AgentPid }, TimeSpan.FromSeconds(15), cancellationToken).ConfigureAwait(false))
                await ProcessTable.KillAsync(new[] { host.AgentPid }, cancellationToken).ConfigureAwait(false);
            _out.WriteLine($"{host.Name}: agent {host.AgentPid} stopped");
        }

        if (!ProcessTable.IsAlive(host.DockerPid, DockerDaemonLauncher.Comm))
        {
            // Whatever survived of the old daemon (containerd, shims) goes first, as after a crash.
            await HostCleanup.KillHostAsync(host.Namespace, cancellationToken).ConfigureAwait(false);
            var tripwire = MachineTripwire.Arm();
            host.DockerPid = await DockerDaemonLauncher.StartAsync(state, host, cancellationToken).ConfigureAwait(false);
            state.Save(statePath);
            await DockerDaemonLauncher.WaitReadyAsync(host, DockerTimeout, cancellationToken).ConfigureAwait(false);
            tripwire.Check($"the dockerd of {host.Name} started");
            _out.WriteLine($"{host.Name}: dockerd started, pid {host.DockerPid}");
        }

        long since = 0;
        try
        {
            using var etcd = DevEtcdAccess.Client(state.Etcd);
            since = (await etcd.RangeAsync(KeyLayout.Host(host.Name), cancellationToken: cancellationToken).ConfigureAwait(false)).Revision;
        }
        catch (EtcdException)
        {
        }

        host.AgentPid = await AgentLauncher.StartAsync(state, host, cancellationToken).ConfigureAwait(false);
        state.Save(statePath);
        if (await NetworkSetup.LinkStateAsync(host.Veth).ConfigureAwait(false) == "up" && since > 0)
        {
            await AgentLauncher.WaitRegisteredAsync(state, new[] { host }, since, AgentTimeout, cancellationToken).ConfigureAwait(false);
            _out.WriteLine($"{host.Name}: agent started, pid {host.AgentPid}, registered");
        }
        else
        {
            _out.WriteLine($"{host.Name}: agent started, pid {host.AgentPid} (not waiting for it to register: {(since == 0 ? "etcd does not answer" : "the host is partitioned")})");
        }
    }

    public async Task SetPartitionedAsync(DevClusterState state, string hostName, bool partitioned)
    {
        Sys.RequireRoot();
        var host = state.Host(hostName);
        await NetworkSetup.SetLinkAsync(host, up: !partitioned).ConfigureAwait(false);
        _out.WriteLine(partitioned ? $"{host.Name}: partitioned (link {host.Veth} down)" : $"{host.Name}: healed (link {host.Veth} up)");
    }

    public async Task EtcdKillAsync(DevClusterState state, string memberName, CancellationToken cancellationToken = default)
    {
        Sys.RequireRoot();
        var member = state.Member(memberName);
        if (ProcessTable.IsAlive(member.Pid, EtcdClusterLauncher.Comm))
            await ProcessTable.KillAsync(new[] { member.Pid }, cancellationToken).ConfigureAwait(false);
        _out.WriteLine($"{member.Name}: killed (pid {member.Pid})");
    }

    public async Task EtcdStartAsync(DevClusterState state, string statePath, string memberName, CancellationToken cancellationToken = default)
    {
        Sys.RequireRoot();
        var member = state.Member(memberName);
        if (ProcessTable.IsAlive(member.Pid, EtcdClusterLauncher.Comm))
        {
            _out.WriteLine($"{member.Name}: already running (pid {member.Pid})");
            return;
        }

        member.Pid = await EtcdClusterLauncher.StartAsync(state, member, cancellationToken).ConfigureAwait(false);
        state.Save(statePath);
        await EtcdClusterLauncher.WaitAnsweringAsync(state.Etcd, member, EtcdTimeout, cancellationToken).ConfigureAwait(false);
        _out.WriteLine($"{member.Name}: started (pid {member.Pid})");
    }

    /// <summary>/run/dokkaa-dev and /var/lib/dokkaa-dev go too once the last cluster (and state file) in them is gone.</summary>
    public static void DeleteEmptyRoots()
    {
        DeleteIfEmpty(DevPlan.RunRoot);
        DeleteIfEmpty(DevPlan.WorkRoot);
    }

    private static void DeleteIfEmpty(string dir)
    {
        try
        {
            if (Directory.Exists(dir) && !Directory.EnumerateFileSystemEntries(dir).Any())
                Directory.Delete(dir);
        }
        catch (IOException)
        {
        }
    }
}
