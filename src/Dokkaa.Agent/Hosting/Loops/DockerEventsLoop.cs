using Dokkaa.Agent.Docker;
using Dokkaa.Core.Cluster;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Dokkaa.Agent.Hosting.Loops;

/// <summary>Docker events make the reconciler react at once to a container that exits; the stream is re-opened whenever it drops (Docker restarts).</summary>
internal sealed class DockerEventsLoop : AgentLoop
{
    private readonly IDockerClient _docker;
    private readonly AgentOptions _options;
    private readonly ILogger _log;

    public DockerEventsLoop(AgentStartup startup, AgentLoopFailure failure, IHostApplicationLifetime lifetime, IDockerClient docker, IOptions<AgentOptions> options)
        : base(startup, failure, lifetime)
    {
        _docker = docker;
        _options = options.Value;
        _log = startup.Log;
    }

    protected override async Task RunAsync(CancellationToken stoppingToken)
    {
        var reconciler = Runtime.Reconciler;
        var filter = new Dictionary<string, string?> { [ContainerNames.HostLabel] = _options.HostId };
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await foreach (var _ in _docker.EventsAsync(filter, stoppingToken).ConfigureAwait(false))
                    reconciler.Wake();
            }
            catch (DockerException e) when (!stoppingToken.IsCancellationRequested)
            {
                _log.LogDebug("Docker event stream dropped: {Error}", e.Message);
            }
            catch (IOException) when (!stoppingToken.IsCancellationRequested)
            {
            }

            reconciler.Wake();
            await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken).ConfigureAwait(false);
        }
    }
}
