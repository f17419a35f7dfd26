namespace Dokkaa.Agent.Docker;

/// <summary>
/// The part of the Docker Engine API (pinned to v1.41) the agent uses. Every call may throw
/// <see cref="DockerException"/>; a daemon that cannot be reached throws <see cref="DockerUnavailableException"/>.
/// </summary>
public interface IDockerClient : IDisposable
{
    /// <summary>Checks the daemon answers (<c>GET /_ping</c>).</summary>
    Task PingAsync(CancellationToken cancellationToken = default);

    /// <summary>Lists containers (running and stopped) that carry every given label (value null: label present).</summary>
    Task<IReadOnlyList<ContainerSummary>> ListContainersAsync(IReadOnlyDictionary<string, string?> labels, CancellationToken cancellationToken = default);

    /// <summary>Creates a container and returns its id. Throws <see cref="DockerNotFoundException"/> if the image is absent.</summary>
    Task<string> CreateContainerAsync(ContainerSpec spec, CancellationToken cancellationToken = default);

    Task StartContainerAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Stops a container, killing it after <paramref name="timeout"/>. Stopping a stopped container is not an error.</summary>
    Task StopContainerAsync(string id, TimeSpan timeout, CancellationToken cancellationToken = default);

    /// <summary>Removes a container (forcing if running). Removing an absent container is not an error.</summary>
    Task RemoveContainerAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Renames a container (a rolling update starts the replacement under a temporary name).</summary>
    Task RenameContainerAsync(string id, string newName, CancellationToken cancellationToken = default);

    /// <summary>Inspects a container by id or name; null if it does not exist.</summary>
    Task<ContainerDetails?> InspectContainerAsync(string idOrName, CancellationToken cancellationToken = default);

    /// <summary>True if the image is present locally.</summary>
    Task<bool> ImageExistsAsync(string image, CancellationToken cancellationToken = default);

    /// <summary>Pulls an image; throws <see cref="DockerException"/> with the daemon's message when it cannot.</summary>
    Task PullImageAsync(string image, CancellationToken cancellationToken = default);

    /// <summary>The gateway address of a network (default <c>bridge</c>), e.g. 172.17.0.1; null if unknown.</summary>
    Task<string?> GetNetworkGatewayAsync(string network = "bridge", CancellationToken cancellationToken = default);

    /// <summary>Streams container events (start, die, destroy ...) for containers with the given label, until cancelled or the connection drops.</summary>
    IAsyncEnumerable<DockerEvent> EventsAsync(IReadOnlyDictionary<string, string?> labels, CancellationToken cancellationToken = default);
}

/// <summary>What to create: the fields of <c>POST /containers/create</c> the agent sets.</summary>
public sealed record ContainerSpec
{
    public required string Name { get; init; }
    public required string Image { get; init; }
    public IReadOnlyList<string>? Command { get; init; }
    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    /// <summary>Container ports to expose, as <c>80/tcp</c>; with <see cref="PublishAllPorts"/> each gets a host port.</summary>
    public IReadOnlyList<string> ExposedPorts { get; init; } = Array.Empty<string>();
    public bool PublishAllPorts { get; init; } = true;
    /// <summary>DNS servers for the container's resolv.conf (empty: Docker's default).</summary>
    public IReadOnlyList<string> Dns { get; init; } = Array.Empty<string>();
    /// <summary>CPU limit in billionths of a core (0: none).</summary>
    public long NanoCpus { get; init; }
    /// <summary>Memory limit in bytes (0: none).</summary>
    public long MemoryBytes { get; init; }

    /// <summary>Most processes the container may run (0: no limit).</summary>
    public long PidsLimit { get; init; }
    /// <summary>Extra /etc/hosts entries, <c>name:address</c>.</summary>
    public IReadOnlyList<string> ExtraHosts { get; init; } = Array.Empty<string>();
}

/// <summary>A row of <c>GET /containers/json?all=1</c>.</summary>
public sealed record ContainerSummary(string Id, string Name, string Image, string State, IReadOnlyDictionary<string, string> Labels);

/// <summary>The parts of <c>GET /containers/{id}/json</c> the agent reads.</summary>
public sealed record ContainerDetails
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required string Image { get; init; }
    public bool Running { get; init; }
    /// <summary>Docker's state string: created, running, exited, dead ...</summary>
    public required string Status { get; init; }
    public int ExitCode { get; init; }
    public string? Error { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    /// <summary>Published ports: <c>80/tcp</c> to the host port.</summary>
    public IReadOnlyDictionary<string, int> Ports { get; init; } = new Dictionary<string, int>();
    /// <summary>The image id (<c>sha256:...</c>) the container runs; <see cref="Image"/> is the name it was created from.</summary>
    public string? ImageId { get; init; }
    /// <summary>The container's environment (the image's and the spec's), <c>K=V</c> split at the first '='.</summary>
    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();
    /// <summary>The container's address on the default bridge; null when it has none (stopped, or another network).</summary>
    public string? IpAddress { get; init; }
}

/// <summary>One event of <c>GET /events</c> for a container.</summary>
public sealed record DockerEvent(string Action, string ContainerId, IReadOnlyDictionary<string, string> Attributes, DateTimeOffset Time)
{
    /// <summary>
    /// What follows the action for events Docker writes as <c>action: detail</c>, e.g. <c>healthy</c> for
    /// <c>health_status: healthy</c> (whose <see cref="Action"/> is then <c>health_status</c>); null otherwise.
    /// </summary>
    public string? Detail { get; init; }
}

public class DockerException : Exception
{
    public DockerException(string message, int statusCode = 0, Exception? inner = null) : base(message, inner) => StatusCode = statusCode;
    public int StatusCode { get; }
}

public sealed class DockerNotFoundException : DockerException
{
    public DockerNotFoundException(string message) : base(message, 404) { }
}

public sealed class DockerUnavailableException : DockerException
{
    public DockerUnavailableException(string message, Exception? inner = null) : base(message, 0, inner) { }
}

/// <summary>
/// The daemon speaks an older Engine API than the one Dokkaa pins (v1.41, Docker 20.10): nothing will work
/// against it, and waiting does not help.
/// </summary>
public sealed class DockerTooOldException : DockerException
{
    public DockerTooOldException(string message) : base(message, 400) { }
}
