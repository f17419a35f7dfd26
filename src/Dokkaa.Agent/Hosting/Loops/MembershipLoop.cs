using Microsoft.Extensions.Hosting;

namespace Dokkaa.Agent.Hosting.Loops;

/// <summary>Keeps this host's lease alive and its host record in place.</summary>
internal sealed class MembershipLoop : AgentLoop
{
    public MembershipLoop(AgentStartup startup, AgentLoopFailure failure, IHostApplicationLifetime lifetime)
        : base(startup, failure, lifetime)
    {
    }

    protected override Task RunAsync(CancellationToken stoppingToken) => Startup.Membership.KeepAliveAsync(stoppingToken);
}
