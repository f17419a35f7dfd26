using Dokkaa.Agent.Docker;
using Dokkaa.Core.Cluster;

namespace Dokkaa.Agent.Containers;

/// <summary>This host's Dokkaa containers, read from Docker by label and grouped by instance.</summary>
public sealed class LocalContainers
{
    private readonly Dictionary<InstanceId, List<ContainerSummary>> _byInstance;

    private LocalContainers(Dictionary<InstanceId, List<ContainerSummary>> byInstance) => _byInstance = byInstance;

    public static async Task<LocalContainers> ReadAsync(IDockerClient docker, string hostId, CancellationToken cancellationToken)
    {
        var list = await docker.ListContainersAsync(
            new Dictionary<string, string?> { [ContainerNames.HostLabel] = hostId },
            cancellationToken).ConfigureAwait(false);
        return Of(list);
    }

    /// <summary>Groups a container list (Docker's, or one made up by a test or the simulation) by the instance their labels name.</summary>
    public static LocalContainers Of(IEnumerable<ContainerSummary> list)
    {
        var byInstance = new Dictionary<InstanceId, List<ContainerSummary>>();
        foreach (var container in list)
        {
            if (ContainerSpecFactory.InstanceOf(container.Labels) is not { } id)
                continue;
            if (!byInstance.TryGetValue(id, out var group))
                byInstance[id] = group = new List<ContainerSummary>();
            group.Add(container);
        }

        return new LocalContainers(byInstance);
    }

    public IEnumerable<InstanceId> Instances => _byInstance.Keys;

    public IReadOnlyList<ContainerSummary> Of(InstanceId id) =>
        _byInstance.TryGetValue(id, out var group) ? group : Array.Empty<ContainerSummary>();

    /// <summary>The container that serves the instance: the one with the canonical name (<c>dummy---nginx</c>), if any.</summary>
    public ContainerSummary? Primary(InstanceId id) =>
        Of(id).FirstOrDefault(c => c.Name.TrimStart('/') == id.ContainerName);
}
