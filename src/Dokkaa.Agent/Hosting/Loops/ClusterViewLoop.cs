using Microsoft.Extensions.Hosting;

namespace Dokkaa.Agent.Hosting.Loops;

/// <summary>Follows etcd's watch into the cluster view (its changes wake the reconciler, nginx and the DNS zone).</summary>
internal sealed class ClusterViewLoop : AgentLoop
{
    public ClusterViewLoop(AgentStartup startup, AgentLoopFailure failure, IHostApplicationLifetime lifetime)
        : base(startup, failure, lifetime)
    {
    }

    protected override Task RunAsync(CancellationToken stoppingToken) => Startup.View.FollowAsync(stoppingToken);
}
