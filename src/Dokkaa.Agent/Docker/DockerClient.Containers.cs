using System.Globalization;

namespace Dokkaa.Agent.Docker;

/// <summary>The container routes: list, create, start, stop, remove, inspect.</summary>
public sealed partial class DockerClient
{
    public async Task<IReadOnlyList<ContainerSummary>> ListContainersAsync(IReadOnlyDictionary<string, string?> labels, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var filters = DockerQuery.Filters(labels);
        using var response = await SendAsync(HttpMethod.Get, "containers/json?all=1" + (filters.Length > 0 ? "&" + filters : ""), cancellationToken).ConfigureAwait(false);
        await response.ThrowIfFailedAsync().ConfigureAwait(false);
        var rows = await response.ReadJsonAsync().ConfigureAwait(false);
        return rows.EnumerateArray().Select(ContainerJson.ToSummary).ToList();
    }

    public async Task<string> CreateContainerAsync(ContainerSpec spec, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentException.ThrowIfNullOrWhiteSpace(spec.Name);
        ArgumentException.ThrowIfNullOrWhiteSpace(spec.Image);
        var body = ContainerCreateBody.Build(spec, _options);
        using var response = await _transport.SendAsync(HttpMethod.Post, "containers/create?name=" + Uri.EscapeDataString(spec.Name), body, _options.RequestTimeout, cancellationToken).ConfigureAwait(false);
        // 404 here always means the image: the daemon does not pull on create. 409 is a name in use.
        await response.ThrowIfFailedAsync($"image not found: {spec.Image}").ConfigureAwait(false);
        var created = await response.ReadJsonAsync().ConfigureAwait(false);
        return created.String("Id") ?? throw new DockerException($"create of {spec.Name}: the daemon at {Endpoint} returned no Id");
    }

    public async Task StartContainerAsync(string id, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(HttpMethod.Post, $"containers/{DockerQuery.Path(id)}/start", cancellationToken).ConfigureAwait(false);
        // 304: already running, which is what the caller wants.
        if (response.StatusCode != 304)
            await response.ThrowIfFailedAsync($"container not found: {id}").ConfigureAwait(false);
    }

    public async Task RenameContainerAsync(string id, string newName, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(HttpMethod.Post, $"containers/{DockerQuery.Path(id)}/rename?name={Uri.EscapeDataString(newName)}", cancellationToken).ConfigureAwait(false);
        await response.ThrowIfFailedAsync($"container not found: {id}").ConfigureAwait(false);
    }

    public async Task StopContainerAsync(string id, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var seconds = (int)Math.Ceiling(Math.Max(0, timeout.TotalSeconds));
        // The daemon answers only after the container is gone, so the request may take the whole stop timeout.
        using var response = await _transport.SendAsync(
            HttpMethod.Post,
            $"containers/{DockerQuery.Path(id)}/stop?t={seconds.ToString(CultureInfo.InvariantCulture)}",
            null,
            TimeSpan.FromSeconds(seconds) + _options.RequestTimeout,
            cancellationToken).ConfigureAwait(false);
        // 304: already stopped, not an error.
        if (response.StatusCode != 304)
            await response.ThrowIfFailedAsync($"container not found: {id}").ConfigureAwait(false);
    }

    public async Task RemoveContainerAsync(string id, CancellationToken cancellationToken = default)
    {
        // force: kill it if running; v: drop its anonymous volumes too, or they pile up across replacements.
        using var response = await SendAsync(HttpMethod.Delete, $"containers/{DockerQuery.Path(id)}?force=1&v=1", cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == 404)
            return;
        if (response.StatusCode == 409)
        {
            var message = await response.ReadMessageAsync().ConfigureAwait(false);
            // Another caller is already removing it: the outcome the caller asked for is on its way.
            if (message.Contains("already in progress", StringComparison.OrdinalIgnoreCase))
                return;
            throw new DockerException($"remove of container {id} failed (409): {message}", 409);
        }

        await response.ThrowIfFailedAsync().ConfigureAwait(false);
    }

    public async Task<ContainerDetails?> InspectContainerAsync(string idOrName, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(HttpMethod.Get, $"containers/{DockerQuery.Path(idOrName)}/json", cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == 404)
            return null;
        await response.ThrowIfFailedAsync().ConfigureAwait(false);
        return ContainerJson.ToDetails(await response.ReadJsonAsync().ConfigureAwait(false));
    }
}
