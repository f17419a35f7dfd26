using System.Runtime.ExceptionServices;
using Dokkaa.Agent.Docker;
using Dokkaa.Agent.Hosting.Loops;
using Dokkaa.Agent.Membership;
using Dokkaa.Core.Cluster;
using Dokkaa.Core.Etcd;
using Dokkaa.WebConsole.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Dokkaa.Agent.Hosting;

/// <summary>
/// One Dokkaa host on the generic host: <see cref="AgentStartup"/> starts the cluster view, membership, ambassador,
/// DNS, nginx and console in order, then one hosted service per loop (Hosting/Loops) runs until cancelled or until a
/// loop ends; every loop has stopped before <see cref="AgentStartup.StoppedAsync"/> closes the rest.
/// </summary>
public sealed class AgentHost
{
    private readonly AgentOptions _options;
    private readonly IDockerClient _docker;
    private readonly AgentStartup _startup;

    public AgentHost(AgentOptions options, IEtcdClient etcd, IDockerClient docker, ILoggerFactory logs, TimeProvider? clock = null)
    {
        _options = options;
        _docker = docker;
        _startup = new AgentStartup(options, etcd, docker, logs, clock ?? TimeProvider.System);
    }

    public ClusterView View => _startup.View;

    /// <summary>The web console and API this agent serves (<c>--console</c>), once started; null when off or failed.</summary>
    public ConsoleServer? Console => _startup.Console;

    public HostMembership Membership => _startup.Membership;

    /// <summary>Completes when the agent has registered and finished its first reconcile pass.</summary>
    public Task Ready => _startup.Ready;

    public static string AgentVersion => AgentStartup.AgentVersion;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var failure = new AgentLoopFailure(_startup.Log);
        try
        {
            using var host = Build(failure);
            await host.RunAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            _startup.Log.LogInformation("Dokkaa agent stopped while starting");
            throw;
        }

        if (failure.First is { } loopFailure && !cancellationToken.IsCancellationRequested)
        {
            _startup.Log.LogCritical(loopFailure, "Agent loop failed; stopping");
            ExceptionDispatchInfo.Throw(loopFailure);
        }

        _startup.Log.LogInformation("Dokkaa agent stopped");
    }

    private IHost Build(AgentLoopFailure failure)
    {
        // The empty builder: no configuration sources or logging providers of its own (every flag and variable is the
        // command line's, and the agent logs through the factory it was given).
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        var services = builder.Services;
        services.AddSingleton<IHostLifetime, CommandLineLifetime>();
        services.Configure<HostOptions>(o =>
        {
            // Loops start one after the other, after AgentStartup; they stop all at once (as one cancellation), and
            // AgentStartup.StoppedAsync runs only when every one has ended, however long that takes.
            o.ServicesStartConcurrently = false;
            o.ServicesStopConcurrently = true;
            o.ShutdownTimeout = Timeout.InfiniteTimeSpan;
        });
        services.AddSingleton(Options.Create(_options));
        services.AddSingleton(_docker);
        services.AddSingleton(_startup);
        services.AddSingleton(failure);
        services.AddHostedService(sp => sp.GetRequiredService<AgentStartup>());
        services.AddHostedService<ClusterViewLoop>();
        services.AddHostedService<MembershipLoop>();
        services.AddHostedService<ReconcileLoop>();
        services.AddHostedService<DockerEventsLoop>();
        services.AddHostedService<ExclusiveFenceLoop>();
        services.AddHostedService<HostRecordLoop>();
        services.AddHostedService<NginxRetryLoop>();
        return builder.Build();
    }
}
