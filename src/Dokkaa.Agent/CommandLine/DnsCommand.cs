using System.CommandLine;
using Dokkaa.Core.Cluster;
using Dokkaa.Core.Etcd;
using Dokkaa.Core.Units;
using Dokkaa.Dns;
using Dokkaa.Etcd;
using Dokkaa.WebConsole.CommandLine;
using Microsoft.Extensions.Logging;

namespace Dokkaa.Agent.CommandLine;

/// <summary><c>dokkaa-agent dns</c>: only the .container name server, for hosts that answer names but run no containers.</summary>
internal static class DnsCommand
{
    public static Command Create()
    {
        var etcd = new EtcdFlags();
        var listen = new Option<string[]>("--dns-listen") { Description = "Address:port to serve on, UDP and TCP (repeatable).", DefaultValueFactory = _ => new[] { "127.0.0.1:53" } };
        var upstream = new Option<string[]>("--dns-upstream") { Description = "Resolver for names outside .container (repeatable; none: REFUSED)." };
        var ttl = new Option<string>("--dns-ttl") { Description = "TTL of .container answers.", DefaultValueFactory = _ => "5s" };
        var rateLimit = new DnsRateLimitFlags();
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Log debug detail." };
        var command = new Command("dns", "Serve only the .container DNS zone from the cluster in etcd.") { listen, upstream, ttl, verbose };
        etcd.AddTo(command);
        foreach (var option in rateLimit.All)
            command.Add(option);
        command.SetAction(async (result, cancellationToken) =>
        {
            DnsServerOptions options;
            EtcdClientOptions etcdOptions;
            try
            {
                etcdOptions = etcd.ToOptions(result);
                options = new DnsServerOptions
                {
                    Listen = AgentFlags.ParseEndpoints(result.GetValue(listen)!, "--dns-listen").Select(DnsServerOptions.ParseEndpoint).ToList(),
                    Upstreams = AgentFlags.ParseEndpoints(result.GetValue(upstream) ?? Array.Empty<string>(), "--dns-upstream").Select(DnsServerOptions.ParseEndpoint).ToList(),
                    Ttl = Durations.Parse(result.GetValue(ttl)!, "--dns-ttl"),
                    RateLimit = rateLimit.ToOptions(result),
                };
                options.Validate();
            }
            catch (Exception e) when (e is FormatException or ArgumentException)
            {
                await Console.Error.WriteLineAsync($"dokkaa-agent dns: {e.Message}").ConfigureAwait(false);
                return 2;
            }

            using var logs = Logging.Create(result.GetValue(verbose));
            var log = logs.CreateLogger("dokkaa.dns");
            using var client = EtcdClients.Create(etcdOptions with { Diagnostics = m => log.LogWarning("{Message}", m) });
            var view = new ClusterView(client);
            await using var server = new DnsServer(options, () => view.Current, m => log.LogWarning("{Message}", m));
            try
            {
                await view.LoadAsync(cancellationToken).ConfigureAwait(false);
                server.Start();
                log.LogInformation("Serving .container on {Endpoints}", string.Join(", ", server.LocalEndpoints));
                await view.FollowAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
            }

            return 0;
        });
        return command;
    }
}
