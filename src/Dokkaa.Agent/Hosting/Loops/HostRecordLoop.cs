using Microsoft.Extensions.Hosting;

namespace Dokkaa.Agent.Hosting.Loops;

/// <summary>Rewrites the host record when what it reports changes (HTTP routing, the fence process, route errors).</summary>
internal sealed class HostRecordLoop : AgentLoop
{
    public HostRecordLoop(AgentStartup startup, AgentLoopFailure failure, IHostApplicationLifetime lifetime)
        : base(startup, failure, lifetime)
    {
    }

    protected override Task RunAsync(CancellationToken stoppingToken) => Runtime.Publisher.RunAsync(stoppingToken);
}
