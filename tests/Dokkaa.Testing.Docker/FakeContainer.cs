using Dokkaa.Agent.Docker;

namespace Dokkaa.Testing.Docker;

/// <summary>One container of <see cref="FakeDockerClient"/>: what it was created from and the state Docker would report.</summary>
public sealed class FakeContainer
{
    public FakeContainer(string id, ContainerSpec spec)
    {
        Id = id;
        Spec = spec;
        Name = spec.Name;
    }

    public string Id { get; }

    public ContainerSpec Spec { get; }

    public string Name { get; internal set; }

    public bool Running { get; internal set; }

    /// <summary>Docker's state string: created, running, exited.</summary>
    public string State { get; internal set; } = "created";

    public int ExitCode { get; internal set; }

    public string? Error { get; internal set; }

    public DateTimeOffset? StartedAt { get; internal set; }

    public DateTimeOffset? FinishedAt { get; internal set; }

    public int Starts { get; internal set; }

    public IReadOnlyDictionary<string, int> Ports { get; internal set; } = new Dictionary<string, int>();

    internal ContainerSummary Summary() => new(Id, "/" + Name, Spec.Image, State, Spec.Labels);

    internal ContainerDetails Details() => new()
    {
        Id = Id,
        Name = "/" + Name,
        Image = Spec.Image,
        Running = Running,
        Status = State,
        ExitCode = ExitCode,
        Error = Error,
        StartedAt = StartedAt,
        FinishedAt = FinishedAt,
        Labels = Spec.Labels,
        Ports = Ports,
        Env = Spec.Env,
        ImageId = "sha256:" + Spec.Image,
    };
}
