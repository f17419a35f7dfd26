using Microsoft.Extensions.Hosting;

namespace Dokkaa.Agent.Hosting.Loops;

/// <summary>Stops this host's exclusive containers when its lease can no longer vouch for them.</summary>
internal sealed class ExclusiveFenceLoop : AgentLoop
{
    public ExclusiveFenceLoop(AgentStartup startup, AgentLoopFailure failure, IHostApplicationLifetime lifetime)
        : base(startup, failure, lifetime)
    {
    }

    protected override Task RunAsync(CancellationToken stoppingToken) => Runtime.Fence.RunAsync(stoppingToken);
}
