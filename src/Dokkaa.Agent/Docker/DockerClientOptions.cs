namespace Dokkaa.Agent.Docker;

/// <summary>Limits and defaults of a <see cref="DockerClient"/>.</summary>
public sealed record DockerClientOptions
{
    public static DockerClientOptions Default { get; } = new();

    /// <summary>
    /// Bounds every ordinary request (and the wait for the first bytes of the event stream), so that a
    /// hung daemon surfaces as <see cref="DockerUnavailableException"/> instead of a stuck agent.
    /// </summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Bounds a whole pull: a registry that never answers must not stall the reconciler.</summary>
    public TimeSpan PullTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Rotation of the json-file log of every created container; without it a chatty container fills the disk.</summary>
    public string LogMaxSize { get; init; } = "10m";

    /// <summary>How many rotated json-file logs to keep per container.</summary>
    public int LogMaxFiles { get; init; } = 3;
}
