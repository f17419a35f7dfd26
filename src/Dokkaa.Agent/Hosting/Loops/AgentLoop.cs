using Microsoft.Extensions.Hosting;

namespace Dokkaa.Agent.Hosting.Loops;

/// <summary>
/// One of the agent's loops as a hosted service. A loop that ends or fails stops the whole agent: a loop that dies is
/// a bug, not a state to limp along in, and the agent exits so a supervisor restarts it.
/// </summary>
internal abstract class AgentLoop : BackgroundService
{
    private readonly AgentStartup _startup;
    private readonly AgentLoopFailure _failure;
    private readonly IHostApplicationLifetime _lifetime;

    protected AgentLoop(AgentStartup startup, AgentLoopFailure failure, IHostApplicationLifetime lifetime)
    {
        _startup = startup;
        _failure = failure;
        _lifetime = lifetime;
    }

    /// <summary>Loops start after <see cref="AgentStartup"/> finished, so its parts are there.</summary>
    protected AgentRuntime Runtime => _startup.Runtime;

    protected AgentStartup Startup => _startup;

    protected abstract Task RunAsync(CancellationToken stoppingToken);

    protected sealed override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await RunAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception e) when (stoppingToken.IsCancellationRequested)
        {
            _failure.WhileStopping(e);
        }
        catch (Exception e)
        {
            _failure.Record(e);
        }

        if (!stoppingToken.IsCancellationRequested)
            _lifetime.StopApplication();
    }
}
