using Microsoft.Extensions.Hosting;

namespace Dokkaa.Agent.Hosting.Loops;

/// <summary>While nginx cannot run, tries again with backoff, so HTTP routing comes back by itself.</summary>
internal sealed class NginxRetryLoop : AgentLoop
{
    public NginxRetryLoop(AgentStartup startup, AgentLoopFailure failure, IHostApplicationLifetime lifetime)
        : base(startup, failure, lifetime)
    {
    }

    protected override Task RunAsync(CancellationToken stoppingToken) => Runtime.Http.KeepTryingAsync(Runtime.Publisher, stoppingToken);
}
