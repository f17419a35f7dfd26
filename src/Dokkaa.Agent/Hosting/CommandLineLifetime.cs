using Microsoft.Extensions.Hosting;

namespace Dokkaa.Agent.Hosting;

/// <summary>
/// The host's lifetime when the command line owns the process: System.CommandLine already turns SIGINT and SIGTERM
/// into the cancellation that stops the host (for the agent and its dns and fence commands alike), so the host adds no
/// signal handlers of its own (ConsoleLifetime would, and would print its own start and stop lines).
/// </summary>
internal sealed class CommandLineLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
