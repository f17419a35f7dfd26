using System.CommandLine;
using System.Globalization;
using System.Net;
using Dokkaa.Agent.Containers;
using Dokkaa.Agent.Hosting;
using Dokkaa.Core.Units;
using Dokkaa.Dns;
using Dokkaa.WebConsole.CommandLine;
using Dokkaa.WebConsole.Hosting;

namespace Dokkaa.Agent.CommandLine;

/// <summary>The agent's flags (in the spirit of daprdockrd's), and their translation into <see cref="AgentOptions"/>.</summary>
internal sealed class AgentFlags
{
    public EtcdFlags Etcd { get; } = new();
    public Option<string> Docker { get; } = new("--docker") { Description = "Docker Engine endpoint (unix:///path or tcp://host:port).", DefaultValueFactory = _ => "unix:///var/run/docker.sock" };
    public Option<string> HostId { get; } = new("--host-id") { Description = "This host's unique name in the cluster.", DefaultValueFactory = _ => Environment.MachineName.ToLowerInvariant() };
    public Option<string?> HostIp { get; } = new("--host-ip") { Description = "Address other hosts use to reach this host's published ports (default: first non-loopback IPv4)." };
    public Option<string> LeaseTtl { get; } = new("--lease-ttl") { Description = "Host lease TTL: failover time after a host dies (e.g. 2s, 10s).", DefaultValueFactory = _ => "10s" };
    public Option<string> DataDir { get; } = new("--data-dir") { Description = "Directory for state that survives agent restarts.", DefaultValueFactory = _ => "/var/lib/dokkaa" };
    public Option<string?> Ambassador { get; } = new("--ambassador-address") { Description = "Address for the links ambassador (default: the Docker bridge gateway)." };
    public Option<string> AmbassadorPorts { get; } = new("--ambassador-ports") { Description = "Port range for the ambassador, FIRST-LAST.", DefaultValueFactory = _ => "42000-42999" };
    public Option<int> Capacity { get; } = new("--capacity") { Description = "Most instances this host runs (0: no limit)." };
    public Option<string[]> Labels { get; } = new("--label") { Description = "Host label KEY=VALUE that manifests can require with constraints (repeatable)." };
    public Option<string> Cpus { get; } = new("--cpus") { Description = "CPU cores offered to instances that reserve resources (default: all; 0: no limit).", DefaultValueFactory = _ => Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture) };
    public Option<string> Memory { get; } = new("--memory") { Description = "Memory offered to instances that reserve resources, e.g. 8g (default: all; 0: no limit).", DefaultValueFactory = _ => HostResources.TotalMemoryText() };
    public Option<string> DefaultMemory { get; } = new("--default-memory") { Description = "Memory limit of a container whose manifest reserves none, e.g. 512m (0: no limit).", DefaultValueFactory = _ => "2g" };
    public Option<string> DefaultCpus { get; } = new("--default-cpus") { Description = "CPU limit in cores of a container whose manifest reserves none, e.g. 0.5 (0: no limit).", DefaultValueFactory = _ => "0" };
    public Option<long> DefaultPids { get; } = new("--default-pids") { Description = "Most processes one container may run (0: no limit).", DefaultValueFactory = _ => ContainerLimits.Default.Pids };
    public Option<string[]> HttpListen { get; } = new("--http-listen") { Description = "Address:port where nginx serves the manifests' http hosts (repeatable; 'none' turns HTTP routing off).", DefaultValueFactory = _ => new[] { "0.0.0.0:80" } };
    public Option<string[]> DnsListen { get; } = new("--dns-listen") { Description = "Address:port for the .container DNS server, UDP and TCP (repeatable; default: the Docker bridge gateway:53 and 127.0.0.1:53; 'none' turns it off)." };
    public Option<string[]> DnsUpstream { get; } = new("--dns-upstream") { Description = "Resolver to forward names outside .container to (repeatable; none: such names are REFUSED)." };
    public Option<string> DnsTtl { get; } = new("--dns-ttl") { Description = "TTL of .container answers.", DefaultValueFactory = _ => "5s" };
    public DnsRateLimitFlags DnsRateLimit { get; } = new();
    public Option<string?> Console { get; } = new("--console") { Description = "Address:port where this agent also serves the web console and HTTP API (loopback unless --console-allow-remote; off by default). Writes need $" + ConsoleCommand.TokenVariable + " or the token it generates into <data-dir>/" + ConsoleTokenFile.Name + " (mode 0600)." };
    public Option<bool> ConsoleAllowRemote { get; } = new("--console-allow-remote") { Description = "Allow a non-loopback --console address (reads then need the token too, unless from this machine to localhost or a loopback address)." };
    public Option<bool> Verbose { get; } = new("--verbose", "-v") { Description = "Log debug detail." };

    public IEnumerable<Option> All => Etcd.All.Concat(new Option[]
    {
        Docker, HostId, HostIp, LeaseTtl, DataDir, Ambassador, AmbassadorPorts, Capacity, Labels, Cpus, Memory,
        DefaultMemory, DefaultCpus, DefaultPids,
        HttpListen, DnsListen, DnsUpstream, DnsTtl,
    }).Concat(DnsRateLimit.All).Concat(new Option[] { Console, ConsoleAllowRemote, Verbose });

    /// <summary>Reads every flag; a bad value is a <see cref="FormatException"/> naming the flag.</summary>
    public AgentOptions ToOptions(ParseResult result)
    {
        var (first, last) = ParseRange(result.GetValue(AmbassadorPorts)!);
        var options = new AgentOptions
        {
            Etcd = Etcd.ToOptions(result),
            Docker = result.GetValue(Docker)!,
            HostId = result.GetValue(HostId)!,
            HostIp = result.GetValue(HostIp) ?? HostAddress.Detect(),
            LeaseTtl = Durations.Parse(result.GetValue(LeaseTtl)!, "--lease-ttl"),
            DataDir = result.GetValue(DataDir)!,
            AmbassadorAddress = result.GetValue(Ambassador),
            AmbassadorPortFirst = first,
            AmbassadorPortLast = last,
            Capacity = result.GetValue(Capacity),
            Labels = HostResources.ParseLabels(result.GetValue(Labels) ?? Array.Empty<string>()),
            MilliCpus = HostResources.ParseCpus(result.GetValue(Cpus)!),
            MemoryBytes = HostResources.ParseMemory(result.GetValue(Memory)!),
            ContainerDefaults = new ContainerLimits(
                HostResources.ParseMemory(result.GetValue(DefaultMemory)!, "--default-memory"),
                HostResources.ParseCpus(result.GetValue(DefaultCpus)!, "--default-cpus"),
                result.GetValue(DefaultPids) >= 0 ? result.GetValue(DefaultPids) : throw new FormatException("--default-pids: must be 0 (no limit) or more")),
            HttpListen = ParseHttpListen(result.GetValue(HttpListen) ?? Array.Empty<string>()),
            DnsListen = ParseDnsListen(result.GetValue(DnsListen)),
            DnsUpstreams = ParseEndpoints(result.GetValue(DnsUpstream) ?? Array.Empty<string>(), "--dns-upstream"),
            DnsTtl = Durations.Parse(result.GetValue(DnsTtl)!, "--dns-ttl"),
            DnsRateLimit = DnsRateLimit.ToOptions(result),
            ConsoleListen = ParseConsole(result.GetValue(Console), result.GetValue(ConsoleAllowRemote)),
            ConsoleAllowRemote = result.GetValue(ConsoleAllowRemote),
            ConsoleToken = Environment.GetEnvironmentVariable(ConsoleCommand.TokenVariable) is { Length: > 0 } token ? token : null,
        };
        if (options.LeaseTtl < TimeSpan.FromSeconds(1))
            throw new FormatException("--lease-ttl: must be at least 1s (etcd leases have one-second granularity)");
        return options;
    }

    /// <summary>null: the default (bridge gateway:53 and 127.0.0.1:53, decided when Docker is known); empty: off.</summary>
    internal static IReadOnlyList<string>? ParseDnsListen(string[]? values)
    {
        if (values is null || values.Length == 0)
            return null;
        if (values is ["none"])
            return Array.Empty<string>();
        ParseEndpoints(values, "--dns-listen");
        return values;
    }

    internal static IReadOnlyList<string> ParseEndpoints(string[] values, string flag)
    {
        foreach (var value in values)
        {
            try
            {
                DnsServerOptions.ParseEndpoint(value);
            }
            catch (Exception e) when (e is FormatException or ArgumentException)
            {
                throw new FormatException($"{flag}: \"{value}\" is not address:port ({e.Message})");
            }
        }

        return values;
    }

    private static IReadOnlyList<string> ParseHttpListen(string[] values)
    {
        if (values is ["none"])
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

    /// <summary>The console's address, refused here (not at bind time) when it is not loopback without --console-allow-remote.</summary>
    internal static IPEndPoint? ParseConsole(string? text, bool allowRemote)
    {
        if (text is null or "none")
            return null;
        try
        {
            var endpoint = ListenAddress.Parse(text);
            ListenAddress.Check(endpoint, allowRemote);
            return endpoint;
        }
        catch (Exception e) when (e is FormatException or ConsoleConfigurationException)
        {
            throw new FormatException($"--console: {e.Message.Replace("--listen ", "", StringComparison.Ordinal).Replace("--allow-remote", "--console-allow-remote", StringComparison.Ordinal)}");
        }
    }

    private static (int First, int Last) ParseRange(string text)
    {
        var parts = text.Split('-');
        if (parts.Length == 2 && int.TryParse(parts[0], CultureInfo.InvariantCulture, out var first) && int.TryParse(parts[1], CultureInfo.InvariantCulture, out var last) && first >= 1 && last <= 65535 && first <= last)
            return (first, last);
        throw new FormatException($"--ambassador-ports: \"{text}\" is not a port range like 42000-42999");
    }
}
