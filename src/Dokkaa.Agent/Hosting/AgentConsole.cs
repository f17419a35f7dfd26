using Dokkaa.Core.Cluster;
using Dokkaa.Core.Etcd;
using Dokkaa.WebConsole.Hosting;
using Microsoft.Extensions.Logging;

namespace Dokkaa.Agent.Hosting;

/// <summary>The web console and API an agent serves with <c>--console</c>, on the view it already follows.</summary>
internal static class AgentConsole
{
    /// <summary>
    /// The started console, or null when off. Like nginx, a console that cannot start (address taken) is logged and
    /// the agent goes on running its containers.
    /// </summary>
    public static async Task<ConsoleServer?> StartAsync(AgentOptions agent, IEtcdClient etcd, ClusterView view, ILogger log, CancellationToken cancellationToken)
    {
        if (agent.ConsoleListen is not { } listen)
            return null;
        var options = new ConsoleServerOptions
        {
            Listen = listen,
            AllowRemote = agent.ConsoleAllowRemote,
            Token = agent.ConsoleToken,
        };
        ConsoleServer server;
        try
        {
            server = await ConsoleServer.StartAsync(etcd, options, view, cancellationToken).ConfigureAwait(false);
        }
        catch (ConsoleConfigurationException e)
        {
            log.LogError("Web console not started: {Error}", e.Message);
            return null;
        }

        var tokenFile = ConsoleTokenFile.PathIn(agent.DataDir);
        if (!server.TokenGenerated)
        {
            log.LogInformation("Web console and API on {Url}; writes need ${Variable}", server.Url, ConsoleCommand.TokenVariable);
            try
            {
                ConsoleTokenFile.Remove(agent.DataDir);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                log.LogWarning("A token an earlier run generated could not be removed from {TokenFile} (it no longer works): {Error}", tokenFile, e.Message);
            }

            return server;
        }

        // The generated token goes to a file only this user can read, never into the log.
        try
        {
            ConsoleTokenFile.Write(agent.DataDir, server.Token);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A console whose token nobody can read would refuse every change: better not to serve it.
            await server.DisposeAsync().ConfigureAwait(false);
            log.LogError("Web console not started: cannot write its generated token to {TokenFile}: {Error}", tokenFile, e.Message);
            return null;
        }

        log.LogInformation("Web console and API on {Url}; writes need the token it generated, in {TokenFile} (mode 0600): open {Url}#token=<that token>", server.Url, tokenFile, server.Url);
        return server;
    }
}
