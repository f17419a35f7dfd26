using System.CommandLine;
using Dokkaa.Agent.Docker;
using Dokkaa.Agent.Fencing;
using Dokkaa.Core.Threading;
using Microsoft.Extensions.Logging;

namespace Dokkaa.Agent.CommandLine;

/// <summary>
/// <c>dokkaa-agent fence</c>: the process that stops this host's exclusive containers when the agent stops renewing
/// its lease (see <see cref="FenceLoop"/>). The agent starts it (detached, in its own session) and it outlives the
/// agent; one per data directory, held by a lock, so a restarted agent finds the running one instead of adding another.
/// </summary>
internal static class FenceCommand
{
    public const string Name = "fence";

    /// <summary>How long a new fence waits for the lock: the agent's liveness probe holds it for an instant.</summary>
    private static readonly TimeSpan LockWait = TimeSpan.FromSeconds(2);

    public static Command Create()
    {
        var dataDir = new Option<string>("--data-dir") { Description = "The agent's data directory (its fence/lease.json).", Required = true };
        var docker = new Option<string>("--docker") { Description = "Docker Engine endpoint of this host.", DefaultValueFactory = _ => DockerClient.DefaultEndpoint };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Log debug detail." };
        var command = new Command(Name, "Stop this host's exclusive containers when the agent stops renewing its lease (started by the agent).") { dataDir, docker, verbose };
        command.SetAction(async (result, cancellationToken) =>
        {
            using var logs = Logging.Create(result.GetValue(verbose));
            var log = logs.CreateLogger("dokkaa.fence-process");
            var files = new FenceFiles(result.GetValue(dataDir)!);
            DockerClient client;
            try
            {
                client = DockerClient.FromEndpoint(result.GetValue(docker)!);
            }
            catch (ArgumentException e)
            {
                await Console.Error.WriteLineAsync($"dokkaa-agent fence: {e.Message}").ConfigureAwait(false);
                return 2;
            }

            using (client)
            {
                using var held = await LockAsync(files, cancellationToken).ConfigureAwait(false);
                if (held is null)
                {
                    log.LogInformation("Another fence process holds {Lock}; leaving the guard to it", files.LockPath);
                    return 0;
                }

                log.LogInformation("Fence process {Pid} guarding the exclusive instances of {DataDir}", Environment.ProcessId, files.Directory);
                var loop = new FenceLoop(files, client, log, TimeProvider.System, MonotonicClock.BootId(), pid => Directory.Exists($"/proc/{pid}"));
                try
                {
                    await loop.RunAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                }

                return 0;
            }
        });
        return command;
    }

    private static async Task<FileStream?> LockAsync(FenceFiles files, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + LockWait;
        while (true)
        {
            if (files.TryLock() is { } held)
                return held;
            if (DateTime.UtcNow > deadline)
                return null;
            await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken).ConfigureAwait(false);
        }
    }
}
