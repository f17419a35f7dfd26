using System.Net;
using System.Net.Sockets;
using Dokkaa.Core.Cluster;
using Dokkaa.Dns;
using Dokkaa.Dns.Limits;
using Microsoft.Extensions.Logging;

namespace Dokkaa.Agent.Hosting;

/// <summary>The agent's .container name server: where it listens, whom it rate limits, and what containers are told to use.</summary>
internal static class ContainerDnsServer
{
    /// <summary>
    /// By default it listens where containers can reach it (the bridge gateway, port 53) and on 127.0.0.1:53 for the
    /// host itself. A listener that cannot bind is reported and the agent runs on without it (null).
    /// </summary>
    public static DnsServer? Start(AgentOptions options, ClusterView view, IPAddress? gateway, ILoggerFactory logs)
    {
        var listen = options.DnsListen
                     ?? (gateway is null ? new[] { "127.0.0.1:53" } : new[] { $"{gateway}:53", "127.0.0.1:53" });
        if (listen.Count == 0)
            return null;
        var log = logs.CreateLogger("dokkaa.dns");
        var dnsOptions = new DnsServerOptions
        {
            Listen = listen.Select(DnsServerOptions.ParseEndpoint).ToList(),
            Upstreams = options.DnsUpstreams.Select(DnsServerOptions.ParseEndpoint).ToList(),
            Ttl = options.DnsTtl,
            RateLimit = ExemptContainers(options.DnsRateLimit, gateway, log),
        };
        var server = new DnsServer(dnsOptions, () => view.Current, m => log.LogWarning("{Message}", m));
        try
        {
            server.Start();
            log.LogInformation("DNS for .container on {Endpoints}", string.Join(", ", server.LocalEndpoints));
            return server;
        }
        catch (SocketException e)
        {
            log.LogError("DNS for .container is off on this host: cannot listen on {Endpoints}: {Error}", string.Join(", ", listen), e.Message);
            return null;
        }
    }

    /// <summary>Containers resolve .container names through this host's DNS when it listens on the gateway's port 53.</summary>
    public static IReadOnlyList<string> ForContainers(DnsServer? dns, IPAddress? gateway) =>
        dns is not null && gateway is not null && dns.LocalEndpoints.Any(e => e.Port == 53 && e.Address.Equals(gateway))
            ? new[] { gateway.ToString() }
            : Array.Empty<string>();

    /// <summary>
    /// Containers are never rate limited: answers to the bridge's subnet stay on this host, so a forged
    /// address there reflects nothing off the machine, while one /24 bucket for every container would.
    /// </summary>
    private static DnsRateLimitOptions ExemptContainers(DnsRateLimitOptions rateLimit, IPAddress? gateway, ILogger log)
    {
        if (!rateLimit.Enabled || gateway is null)
            return rateLimit;
        if (LocalSubnet.Of(gateway) is { } bridge)
            return rateLimit with { Exempt = [.. rateLimit.Exempt, bridge] };
        log.LogWarning("DNS: no interface holds the Docker bridge gateway {Gateway}, so containers' queries are rate limited like any client's (--dns-rate-limit-exempt adds their subnet)", gateway);
        return rateLimit;
    }
}
