using Microsoft.Extensions.Hosting;

namespace Dokkaa.Agent.Hosting.Loops;

/// <summary>The reconciler: makes this host's containers match the manifests and claims, on every wake-up and every resync interval.</summary>
internal sealed class ReconcileLoop : AgentLoop
{
    public ReconcileLoop(AgentStartup startup, AgentLoopFailure failure, IHostApplicationLifetime lifetime)
        : base(startup, failure, lifetime)
    {
    }

    protected override Task RunAsync(CancellationToken stoppingToken) => Runtime.Reconciler.RunAsync(stoppingToken);
}
