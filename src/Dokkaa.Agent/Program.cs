using System.CommandLine;
using Dokkaa.Agent.CommandLine;
using Dokkaa.Agent.Docker;
using Dokkaa.Agent.Hosting;
using Dokkaa.Etcd;
using Microsoft.Extensions.Logging;

namespace Dokkaa.Agent;

/// <summary><c>dokkaa-agent</c>: the daemon on every host (daprdockrd's flags, Dokkaa's behaviour).</summary>
internal static class Program
{
    private static Task<int> Main(string[] args) => BuildCommand().Parse(args).InvokeAsync();

    internal static RootCommand BuildCommand()
    {
        var flags = new AgentFlags();
        var root = new RootCommand("Dokkaa agent: runs the containers the cluster's manifests ask for on this host.");
        foreach (var option in flags.All)
            root.Add(option);
        root.Add(DnsCommand.Create());
        root.Add(FenceCommand.Create());
        root.SetAction(async (result, cancellationToken) =>
        {
            AgentOptions options;
            try
            {
                options = flags.ToOptions(result);
            }
            catch (FormatException e)
            {
                await Console.Error.WriteLineAsync($"dokkaa-agent: {e.Message}").ConfigureAwait(false);
                return 2;
            }

            using var logs = Logging.Create(result.GetValue(flags.Verbose));
            // The etcd client reports what it handles by itself (a watch reconnecting) here, not on stderr.
            var etcdLog = logs.CreateLogger("dokkaa.etcd");
            using var etcdClient = EtcdClients.Create(options.Etcd with { Diagnostics = m => etcdLog.LogWarning("{Message}", m) });
            using var dockerClient = DockerClient.FromEndpoint(options.Docker);
            var host = new AgentHost(options, etcdClient, dockerClient, logs);
            try
            {
                await host.RunAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
            }
            catch (DockerTooOldException e)
            {
                await Console.Error.WriteLineAsync($"dokkaa-agent: {e.Message}").ConfigureAwait(false);
                return 1;
            }

            return 0;
        });
        return root;
    }
}
