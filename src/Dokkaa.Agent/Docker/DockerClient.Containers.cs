using Docker.DotNet.Models;

namespace Dokkaa.Agent.Docker;

/// <summary>The container routes: list, create, start, stop, remove, rename, inspect.</summary>
public sealed partial class DockerClient
{
    public async Task<IReadOnlyList<ContainerSummary>> ListContainersAsync(IReadOnlyDictionary<string, string?> labels, CancellationToken cancellationToken = default)
    {
        var parameters = new ContainersListParameters { All = true, Filters = LabelFilters.For(labels) };
        var rows = await CallAsync("GET /containers/json", _options.RequestTimeout, (engine, token) => engine.Containers.ListContainersAsync(parameters, token), cancellationToken).ConfigureAwait(false);
        return rows.Select(ContainerMapping.ToSummary).ToList();
    }

    public async Task<string> CreateContainerAsync(ContainerSpec spec, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentException.ThrowIfNullOrWhiteSpace(spec.Name);
        ArgumentException.ThrowIfNullOrWhiteSpace(spec.Image);
        var parameters = ContainerCreateParameters.Build(spec, _options);
        // 404 here always means the image: the daemon does not pull on create. 409 is a name in use.
        var created = await CallAsync("POST /containers/create", _options.RequestTimeout, (engine, token) => engine.Containers.CreateContainerAsync(parameters, token), cancellationToken, $"image not found: {spec.Image}").ConfigureAwait(false);
        return string.IsNullOrEmpty(created.ID) ? throw new DockerException($"create of {spec.Name}: the daemon at {Endpoint} returned no Id") : created.ID;
    }

    // Already running (304) is what the caller wants: the library reports it as false, not as an error.
    public Task StartContainerAsync(string id, CancellationToken cancellationToken = default) =>
        CallAsync($"POST /containers/{id}/start", _options.RequestTimeout, (engine, token) => engine.Containers.StartContainerAsync(id, new ContainerStartParameters(), token), cancellationToken, $"container not found: {id}");

    public Task RenameContainerAsync(string id, string newName, CancellationToken cancellationToken = default) =>
        CallAsync($"POST /containers/{id}/rename", _options.RequestTimeout, (engine, token) => engine.Containers.RenameContainerAsync(id, new ContainerRenameParameters { NewName = newName }, token), cancellationToken, $"container not found: {id}");

    public Task StopContainerAsync(string id, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var seconds = (uint)Math.Ceiling(Math.Max(0, timeout.TotalSeconds));
        var parameters = new ContainerStopParameters { WaitBeforeKillSeconds = seconds };
        // The daemon answers only after the container is gone, so the request may take the whole stop timeout.
        // Already stopped (304) is not an error: the library reports it as false.
        return CallAsync($"POST /containers/{id}/stop", TimeSpan.FromSeconds(seconds) + _options.RequestTimeout, (engine, token) => engine.Containers.StopContainerAsync(id, parameters, token), cancellationToken, $"container not found: {id}");
    }

    public async Task RemoveContainerAsync(string id, CancellationToken cancellationToken = default)
    {
        // Force: kill it if running; RemoveVolumes: drop its anonymous volumes too, or they pile up across replacements.
        var parameters = new ContainerRemoveParameters { Force = true, RemoveVolumes = true };
        try
        {
            await CallAsync($"remove of container {id}", _options.RequestTimeout, (engine, token) => engine.Containers.RemoveContainerAsync(id, parameters, token), cancellationToken).ConfigureAwait(false);
        }
        catch (DockerNotFoundException)
        {
            // Already gone: what the caller asked for.
        }
        catch (DockerException e) when (e.StatusCode == 409 && e.Message.Contains("already in progress", StringComparison.OrdinalIgnoreCase))
        {
            // Another caller is already removing it: the outcome the caller asked for is on its way.
        }
    }

    public async Task<ContainerDetails?> InspectContainerAsync(string idOrName, CancellationToken cancellationToken = default)
    {
        try
        {
            var inspect = await CallAsync($"GET /containers/{idOrName}/json", _options.RequestTimeout, (engine, token) => engine.Containers.InspectContainerAsync(idOrName, token), cancellationToken).ConfigureAwait(false);
            return ContainerMapping.ToDetails(inspect);
        }
        catch (DockerNotFoundException)
        {
            return null;
        }
    }
}
