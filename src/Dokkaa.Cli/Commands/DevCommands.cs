using System.CommandLine;
using System.Globalization;
using Dokkaa.Cli.Output;
using Dokkaa.Core.Etcd;
using Dokkaa.Core.EtcdAccess;
using Dokkaa.Dev;

namespace Dokkaa.Cli.Commands;

/// <summary>
/// <c>dokkaa dev</c>: a local multi-host cluster for development and tests. Each host is a network namespace
/// with its own dockerd, address and agent; etcd is a real multi-member cluster on the bridge.
/// </summary>
public static class DevCommands
{
    private static readonly TimeSpan LockTimeout = TimeSpan.FromMinutes(5);

    public static readonly Option<string> State = new("--state")
    {
        Description = "The cluster's state file (default: $DOKKAA_DEV_STATE or /var/lib/dokkaa-dev/dev.json).",
        DefaultValueFactory = _ => DevPlan.DefaultStatePath,
        Recursive = true,
    };

    public static Command Dev() => new("dev", "A local multi-host cluster: network namespaces with their own dockerd and agent, and a real etcd cluster (needs root).")
    {
        State,
        Up(),
        Down(),
        Load(),
        Kill(),
        Restart(),
        Partition(),
        Heal(),
        Status(),
        Env(),
        Etcd(),
    };

    private static Command Up()
    {
        var hosts = new Option<int>("--hosts") { Description = "Number of hosts (h1..hN).", DefaultValueFactory = _ => 3 };
        var name = new Option<string>("--name") { Description = "Cluster name (1-6 of a-z0-9); names the bridge dk-NAME-br, namespaces dk-NAME-hN and directories.", DefaultValueFactory = _ => DevPlan.DefaultName };
        var subnet = new Option<string>("--subnet") { Description = "Private network of the bridge (.1) and the hosts (.11, .12, ...).", DefaultValueFactory = _ => DevPlan.DefaultSubnet };
        var containerSubnet = new Option<string>("--container-subnet") { Description = "Host N's containers get its N-th /24 (bridge dk0 in the namespace, dockerd --bridge dk0).", DefaultValueFactory = _ => DevPlan.DefaultContainerSubnet };
        var etcdMembers = new Option<int>("--etcd-members") { Description = "etcd cluster size: 1, 3 or 5.", DefaultValueFactory = _ => 3 };
        var etcdPort = new Option<int>("--etcd-port") { Description = "First etcd port on the bridge address: member i listens on PORT+2(i-1) (client) and the next (peer).", DefaultValueFactory = _ => DevPlan.DefaultEtcdPort };
        var leaseTtl = new Option<string>("--lease-ttl") { Description = "The agents' --lease-ttl (failover time of a dead host).", DefaultValueFactory = _ => "10s" };
        var agent = new Option<string?>("--agent") { Description = "dokkaa-agent executable (default: next to dokkaa, or the agent project's build output of the same configuration)." };
        var force = new Option<bool>("--force") { Description = "Remove a cluster of the same name (or state file) left behind first." };
        var secure = new Option<bool>("--secure") { Description = "etcd with TLS (clients and peers), client certificates and auth: agents run as user agent (role dokkaa-agent: writes only under /dokkaa/), `dokkaa dev env` gives the operator's settings (role dokkaa-operator: writes /apps/). Needs openssl and etcdctl." };
        var keep = new Option<bool>("--keep-on-failure") { Description = "If up fails, leave what it made (for a look at the logs); `dokkaa dev down` removes it." };
        var command = new Command("up", "Create the cluster: bridge, namespaces, dockerds, etcd members, agents; write the state file.")
        {
            hosts, name, subnet, containerSubnet, etcdMembers, etcdPort, leaseTtl, agent, force, keep, secure,
        };
        command.SetAction((result, ct) => RunAsync(async () =>
        {
            var statePath = result.GetValue(State)!;
            var state = await new DevCluster(Console.Out).UpAsync(new DevUpOptions
            {
                StatePath = statePath,
                Name = result.GetValue(name)!,
                Hosts = result.GetValue(hosts),
                Subnet = result.GetValue(subnet)!,
                ContainerSubnet = result.GetValue(containerSubnet)!,
                EtcdMembers = result.GetValue(etcdMembers),
                EtcdPort = result.GetValue(etcdPort),
                LeaseTtl = result.GetValue(leaseTtl)!,
                Agent = result.GetValue(agent),
                Force = result.GetValue(force),
                KeepOnFailure = result.GetValue(keep),
                Secure = result.GetValue(secure),
            }, ct).ConfigureAwait(false);
            Console.WriteLine($"dev cluster \"{state.Name}\" is up; state {Path.GetFullPath(statePath)}, logs {state.LogDir}");
            await WriteHostsAsync(state).ConfigureAwait(false);
            Console.WriteLine();
            foreach (var line in EnvLines(state))
                Console.WriteLine("  " + line);
            Console.WriteLine($"  docker -H {state.Hosts[0].DockerSocket} ps");
            Console.WriteLine($"  dokkaa dev down --state {statePath}");
            return 0;
        }));
        return command;
    }

    private static Command Down()
    {
        var force = new Option<bool>("--force") { Description = "Also when the state file is missing or broken: find the cluster by --name." };
        var name = new Option<string>("--name") { Description = "With --force and no state file: the cluster's name.", DefaultValueFactory = _ => DevPlan.DefaultName };
        var command = new Command("down", "Remove the cluster: processes, containers, mounts, namespaces, links, iptables rules, cgroups, data and the state file.") { force, name };
        command.SetAction((result, ct) => RunAsync(async () =>
        {
            var statePath = Path.GetFullPath(result.GetValue(State)!);
            var cluster = new DevCluster(Console.Out);
            using var stateLock = await DevStateLock.AcquireAsync(statePath, LockTimeout, ct).ConfigureAwait(false);
            DevClusterState? state = null;
            try
            {
                state = DevClusterState.Load(statePath);
            }
            catch (DevException) when (result.GetValue(force))
            {
            }

            if (state is not null)
            {
                await cluster.TeardownAsync(state.Name, state, statePath, ct).ConfigureAwait(false);
            }
            else
            {
                var clusterName = result.GetValue(name)!;
                DevPlan.ValidateName(clusterName);
                await cluster.TeardownAsync(clusterName, null, File.Exists(statePath) ? statePath : null, ct).ConfigureAwait(false);
            }

            stateLock.Release(delete: true);
            DevCluster.DeleteEmptyRoots();
            return 0;
        }));
        return command;
    }

    private static Command Load()
    {
        var images = new Argument<string[]>("image") { Description = "Image(s) to copy, e.g. dokkaa/busybox:test.", Arity = ArgumentArity.OneOrMore };
        var from = new Option<string>("--from")
        {
            Description = "The Docker daemon that has the images (default: $DOCKER_HOST or unix:///var/run/docker.sock).",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 } host ? host : "unix:///var/run/docker.sock",
        };
        var command = new Command("load", "Copy images from the machine's Docker daemon into every host's daemon (no registry needed).") { images, from };
        command.SetAction((result, ct) => RunAsync(() =>
            new DevCluster(Console.Out).LoadAsync(LoadState(result), result.GetValue(images)!, result.GetValue(from)!, ct)));
        return command;
    }

    private static Command Kill()
    {
        var host = HostArgument();
        var agentOnly = new Option<bool>("--agent-only") { Description = "Kill only the agent; dockerd and the containers keep running." };
        var command = new Command("kill", "kill -9 a host: its agent, dockerd, containerd, shims and containers (a power cut).") { host, agentOnly };
        command.SetAction((result, ct) => RunAsync(async () =>
        {
            await new DevCluster(Console.Out).KillAsync(LoadState(result), result.GetValue(host)!, result.GetValue(agentOnly), ct).ConfigureAwait(false);
            return 0;
        }));
        return command;
    }

    private static Command Restart()
    {
        var host = HostArgument();
        var command = new Command("restart", "Start a host's dockerd again if it is dead, and restart its agent; updates the pids in the state file.") { host };
        command.SetAction((result, ct) => RunAsync(async () =>
        {
            var statePath = result.GetValue(State)!;
            using var stateLock = await DevStateLock.AcquireAsync(statePath, LockTimeout, ct).ConfigureAwait(false);
            await new DevCluster(Console.Out).RestartAsync(DevClusterState.Load(statePath), statePath, result.GetValue(host)!, ct).ConfigureAwait(false);
            return 0;
        }));
        return command;
    }

    private static Command Partition()
    {
        var host = HostArgument();
        var command = new Command("partition", "Cut a host off the network (its veth down); its processes keep running.") { host };
        command.SetAction((result, ct) => RunAsync(async () =>
        {
            await new DevCluster(Console.Out).SetPartitionedAsync(LoadState(result), result.GetValue(host)!, partitioned: true).ConfigureAwait(false);
            return 0;
        }));
        return command;
    }

    private static Command Heal()
    {
        var host = HostArgument();
        var command = new Command("heal", "Reconnect a partitioned host (its veth up).") { host };
        command.SetAction((result, ct) => RunAsync(async () =>
        {
            await new DevCluster(Console.Out).SetPartitionedAsync(LoadState(result), result.GetValue(host)!, partitioned: false).ConfigureAwait(false);
            return 0;
        }));
        return command;
    }

    private static Command Status()
    {
        var command = new Command("status", "The cluster's hosts and etcd members, and whether each process is alive.");
        command.SetAction((result, ct) => RunAsync(async () =>
        {
            var statePath = result.GetValue(State)!;
            var state = LoadState(result);
            var members = await EtcdClusterLauncher.StatusAllAsync(state, ct).ConfigureAwait(false);
            var leader = EtcdClusterLauncher.Leader(members);
            if (CliContext.Json(result))
            {
                var links = await NetworkSetup.LinksAsync().ConfigureAwait(false);
                Json.Write(Console.Out, new
                {
                    StatePath = Path.GetFullPath(statePath),
                    State = System.Text.Json.JsonDocument.Parse(state.ToJson()).RootElement,
                    Hosts = state.Hosts.Select(h => new
                    {
                        h.Name,
                        Link = LinkState(links, h),
                        DockerAlive = ProcessTable.IsAlive(h.DockerPid, DockerDaemonLauncher.Comm),
                        AgentAlive = ProcessTable.IsAlive(h.AgentPid, AgentLauncher.Comm),
                    }),
                    Etcd = members.Select(m => new { m.Name, m.Endpoint, m.Alive, m.Answering, Leader = m.Name == leader }),
                });
                return 0;
            }

            Console.WriteLine($"dev cluster \"{state.Name}\" (state {Path.GetFullPath(statePath)}, lease ttl {state.LeaseTtl}, logs {state.LogDir})");
            Console.WriteLine($"bridge {state.Bridge} {state.BridgeAddress} ({state.Subnet})");
            Console.WriteLine();
            await WriteHostsAsync(state).ConfigureAwait(false);
            Console.WriteLine();
            Table.Write(Console.Out, new[] { "MEMBER", "CLIENT URL", "PID", "PROCESS", "ANSWERS", "LEADER" }, state.Etcd.Members.Select(m =>
            {
                var status = members.First(s => s.Name == m.Name);
                return (IReadOnlyList<string>)new[]
                {
                    m.Name, m.ClientUrl, m.Pid.ToString(CultureInfo.InvariantCulture), status.Alive ? "alive" : "dead", status.Answering ? "yes" : "no", m.Name == leader ? "*" : "",
                };
            }));
            return 0;
        }));
        return command;
    }

    private static Command Env()
    {
        var command = new Command("env", "Print export lines for a shell: DOKKAA_ETCD (and on a --secure cluster the operator's DOKKAA_ETCD_CA/CERT/KEY/USER/PASSWORD_FILE) for the dokkaa commands, DOKKAA_DEV_STATE.");
        command.SetAction((result, ct) => RunAsync(() =>
        {
            var state = LoadState(result);
            foreach (var line in EnvLines(state))
                Console.WriteLine(line);
            Console.WriteLine($"export DOKKAA_DEV_STATE={Path.GetFullPath(result.GetValue(State)!)}");
            return Task.FromResult(0);
        }));
        return command;
    }

    /// <summary>The connection an operator's shell needs; on a secured cluster, the operator's certificate and password file.</summary>
    private static IEnumerable<string> EnvLines(DevClusterState state)
    {
        yield return $"export {EtcdEnvironment.Endpoints}={string.Join(',', state.Etcd.Endpoints)}";
        if (state.Etcd.Security is not { } security)
            yield break;
        yield return $"export {EtcdEnvironment.Ca}={security.CaFile}";
        yield return $"export {EtcdEnvironment.Cert}={security.Operator.CertFile}";
        yield return $"export {EtcdEnvironment.Key}={security.Operator.KeyFile}";
        yield return $"export {EtcdEnvironment.User}={security.Operator.Name}";
        yield return $"export {EtcdEnvironment.PasswordFile}={security.Operator.PasswordFile}";
    }

    private static Command Etcd()
    {
        var kill = new Command("kill", "kill -9 one etcd member (its data stays).") { MemberArgument() };
        kill.SetAction((result, ct) => RunAsync(async () =>
        {
            await new DevCluster(Console.Out).EtcdKillAsync(LoadState(result), result.GetValue<string>("member")!, ct).ConfigureAwait(false);
            return 0;
        }));
        var start = new Command("start", "Start a killed etcd member again on its data; it rejoins the cluster.") { MemberArgument() };
        start.SetAction((result, ct) => RunAsync(async () =>
        {
            var statePath = result.GetValue(State)!;
            using var stateLock = await DevStateLock.AcquireAsync(statePath, LockTimeout, ct).ConfigureAwait(false);
            await new DevCluster(Console.Out).EtcdStartAsync(DevClusterState.Load(statePath), statePath, result.GetValue<string>("member")!, ct).ConfigureAwait(false);
            return 0;
        }));
        var leader = new Command("leader", "Print the current leader's member name (from each member's status); exit 1 if there is none.");
        leader.SetAction((result, ct) => RunAsync(async () =>
        {
            var members = await EtcdClusterLauncher.StatusAllAsync(LoadState(result), ct).ConfigureAwait(false);
            var name = EtcdClusterLauncher.Leader(members);
            if (CliContext.Json(result))
                Json.Write(Console.Out, new { Leader = name, Members = members });
            else if (name is not null)
                Console.WriteLine(name);
            else
                await Console.Error.WriteLineAsync("dokkaa dev: no etcd leader: " + string.Join("; ", members.Select(m => $"{m.Name}: {(m.Answering ? "no leader" : m.Error)}"))).ConfigureAwait(false);
            return name is null ? 1 : 0;
        }));
        return new Command("etcd", "The cluster's etcd members.") { kill, start, leader };
    }

    private static Argument<string> HostArgument() => new("host") { Description = "Host name: h1, h2, ..." };

    private static Argument<string> MemberArgument() => new("member") { Description = "Member name: etcd1, etcd2, ..." };

    private static DevClusterState LoadState(ParseResult result) => DevClusterState.Load(result.GetValue(State)!);

    private static string LinkState(IReadOnlyDictionary<string, bool> links, DevHost host) =>
        !links.TryGetValue(host.Veth, out var up) ? "missing" : up ? "up" : "down (partitioned)";

    private static async Task WriteHostsAsync(DevClusterState state)
    {
        var links = await NetworkSetup.LinksAsync().ConfigureAwait(false);
        Table.Write(Console.Out, new[] { "HOST", "ADDRESS", "NAMESPACE", "LINK", "DOCKERD", "AGENT", "DOCKER" }, state.Hosts.Select(h => (IReadOnlyList<string>)new[]
        {
            h.Name, h.Address, h.Namespace, LinkState(links, h),
            $"{h.DockerPid} {(ProcessTable.IsAlive(h.DockerPid, DockerDaemonLauncher.Comm) ? "alive" : "dead")}",
            $"{h.AgentPid} {(ProcessTable.IsAlive(h.AgentPid, AgentLauncher.Comm) ? "alive" : "dead")}",
            h.DockerSocket,
        }));
    }

    /// <summary>Dev cluster errors become one clear message and exit code 1.</summary>
    private static async Task<int> RunAsync(Func<Task<int>> action)
    {
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (Exception e) when (e is DevException or EtcdException or IOException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"dokkaa dev: {e.Message}").ConfigureAwait(false);
            return 1;
        }
    }
}
