using Microsoft.Extensions.Logging;

namespace Dokkaa.Agent.Hosting;

/// <summary>The first loop failure that stopped the agent; <see cref="AgentHost.RunAsync"/> rethrows it once everything stopped.</summary>
internal sealed class AgentLoopFailure
{
    private readonly ILogger _log;
    private Exception? _first;

    public AgentLoopFailure(ILogger log) => _log = log;

    public Exception? First => Volatile.Read(ref _first);

    public void Record(Exception failure) => Interlocked.CompareExchange(ref _first, failure, null);

    /// <summary>A loop that fails while the agent stops anyway: worth a log line, not a different exit.</summary>
    public void WhileStopping(Exception failure) => _log.LogError(failure, "Agent loop failed while stopping");
}
