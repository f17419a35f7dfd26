using System.CommandLine;
using Dokkaa.Agent.Docker;
using Dokkaa.Agent.Hosting;
using Dokkaa.Core.Etcd;
using Dokkaa.Core.Units;
using Microsoft.Extensions.Logging;

namespace Dokkaa.Agent;

/// <summary><c>dokkaa-agent</c>: the daemon on every host (daprdockrd's flags, Dokkaa's behaviour).</summary>
internal static class Program
{
    private static Task<int> Main(string[] args) => BuildCommand().Parse(args).InvokeAsync();

    internal static RootCommand BuildCommand()
    {
        var etcd = new Option<string>("--etcd") { Description = "Comma separated etcd client URLs.", DefaultValueFactory = _ => Environment.GetEnvironmentVariable("DOKKAA_ETCD") ?? "http://127.0.0.1:2379" };
        var docker = new Option<string>("--docker") { Description = "Docker Engine endpoint (unix:///path or tcp://host:port).", DefaultValueFactory = _ => "unix:///var/run/docker.sock" };
        var hostId = new Option<string>("--host-id") { Description = "This host's unique name in the cluster.", DefaultValueFactory = _ => Environment.MachineName.ToLowerInvariant() };
        var hostIp = new Option<string?>("--host-ip") { Description = "Address other hosts use to reach this host's published ports (default: first non-loopback IPv4)." };
        var leaseTtl = new Option<string>("--lease-ttl") { Description = "Host lease TTL: failover time after a host dies (e.g. 2s, 10s).", DefaultValueFactory = _ => "10s" };
        var dataDir = new Option<string>("--data-dir") { Description = "Directory for state that survives agent restarts.", DefaultValueFactory = _ => "/var/lib/dokkaa" };
        var ambassador = new Option<string?>("--ambassador-address") { Description = "Address for the links ambassador (default: the Docker bridge gateway)." };
        var ambassadorPorts = new Option<string>("--ambassador-ports") { Description = "Port range for the ambassador, FIRST-LAST.", DefaultValueFactory = _ => "42000-42999" };
        var capacity = new Option<int>("--capacity") { Description = "Most instances this host runs (0: no limit)." };
        var labels = new Option<string[]>("--label") { Description = "Host label KEY=VALUE that manifests can require with constraints (repeatable).", AllowMultipleArgumentsPerToken = false };
        var cpus = new Option<string>("--cpus") { Description = "CPU cores offered to instances that reserve resources (default: all; 0: no limit).", DefaultValueFactory = _ => Environment.ProcessorCount.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        var memory = new Option<string>("--memory") { Description = "Memory offered to instances that reserve resources, e.g. 8g (default: all; 0: no limit).", DefaultValueFactory = _ => HostResources.TotalMemoryText() };
        var httpListen = new Option<string[]>("--http-listen") { Description = "Address:port where nginx serves the manifests' http hosts (repeatable; 'none' turns HTTP routing off).", DefaultValueFactory = _ => new[] { "0.0.0.0:80" } };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Log debug detail." };

        var root = new RootCommand("Dokkaa agent: runs the containers the cluster's manifests ask for on this host.")
        {
            etcd, docker, hostId, hostIp, leaseTtl, dataDir, ambassador, ambassadorPorts, capacity, labels, cpus, memory, httpListen, verbose,
        };
        root.SetAction(async (result, cancellationToken) =>
        {
            AgentOptions options;
            try
            {
                var (first, last) = ParseRange(result.GetValue(ambassadorPorts)!);
                options = new AgentOptions
                {
                    Etcd = result.GetValue(etcd)!,
                    Docker = result.GetValue(docker)!,
                    HostId = result.GetValue(hostId)!,
                    HostIp = result.GetValue(hostIp) ?? HostAddress.Detect(),
                    LeaseTtl = Durations.Parse(result.GetValue(leaseTtl)!, "--lease-ttl"),
                    DataDir = result.GetValue(dataDir)!,
                    AmbassadorAddress = result.GetValue(ambassador),
                    AmbassadorPortFirst = first,
                    AmbassadorPortLast = last,
                    Capacity = result.GetValue(capacity),
                    Labels = HostResources.ParseLabels(result.GetValue(labels) ?? Array.Empty<string>()),
                    MilliCpus = HostResources.ParseCpus(result.GetValue(cpus)!),
                    MemoryBytes = HostResources.ParseMemory(result.GetValue(memory)!),
                    HttpListen = ParseHttpListen(result.GetValue(httpListen) ?? Array.Empty<string>()),
                };
                if (options.LeaseTtl < TimeSpan.FromSeconds(1))
                    throw new FormatException("--lease-ttl: must be at least 1s (etcd leases have one-second granularity)");
            }
            catch (FormatException e)
            {
                await Console.Error.WriteLineAsync($"dokkaa-agent: {e.Message}").ConfigureAwait(false);
                return 2;
            }

            using var logs = LoggerFactory.Create(b => b
                .AddSimpleConsole(o =>
                {
                    o.SingleLine = true;
                    o.TimestampFormat = "HH:mm:ss.fff ";
                })
                .SetMinimumLevel(result.GetValue(verbose) ? LogLevel.Debug : LogLevel.Information));
            using var etcdClient = EtcdClient.Parse(options.Etcd);
            using var dockerClient = DockerClient.FromEndpoint(options.Docker);
            var host = new AgentHost(options, etcdClient, dockerClient, logs);
            try
            {
                await host.RunAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
            }

            return 0;
        });
        return root;
    }

    private static IReadOnlyList<string> ParseHttpListen(string[] values)
    {
        if (values.Length == 1 && values[0] == "none")
            return Array.Empty<string>();
        foreach (var value in values)
        {
            try
            {
                Http.NginxOptions.ParseListen(value);
            }
            catch (ArgumentException e)
            {
                throw new FormatException($"--http-listen: {e.Message}");
            }
        }

        return values;
    }

    private static (int First, int Last) ParseRange(string text)
    {
        var parts = text.Split('-');
        if (parts.Length == 2 && int.TryParse(parts[0], out var first) && int.TryParse(parts[1], out var last) && first >= 1 && last <= 65535 && first <= last)
            return (first, last);
        throw new FormatException($"--ambassador-ports: \"{text}\" is not a port range like 42000-42999");
    }
}
