using System.Text.Json;

namespace Dokkaa.Agent.Docker;

/// <summary>The image routes: exists (inspect) and pull.</summary>
public sealed partial class DockerClient
{
    public async Task<bool> ImageExistsAsync(string image, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(HttpMethod.Get, $"images/{DockerQuery.Path(image)}/json", cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == 404)
            return false;
        await response.ThrowIfFailedAsync().ConfigureAwait(false);
        return true;
    }

    public async Task PullImageAsync(string image, CancellationToken cancellationToken = default)
    {
        var (repository, tag) = ImageReference.Split(image);
        var query = $"images/create?fromImage={Uri.EscapeDataString(repository)}&tag={Uri.EscapeDataString(tag)}";
        try
        {
            using var response = await _transport.SendAsync(HttpMethod.Post, query, null, _options.PullTimeout, cancellationToken).ConfigureAwait(false);
            // Failures found before the download starts (no such registry, no such repository) come as a status...
            if (!response.IsSuccess)
                throw new DockerException($"pull of {image} failed: {await response.ReadMessageAsync().ConfigureAwait(false)}", response.StatusCode);
            // ...later ones as a line {"errorDetail": {...}, "error": "..."} in a stream that still said 200.
            await foreach (var line in response.ReadLinesAsync(cancellationToken).ConfigureAwait(false))
            {
                if (PullError(line) is { } error)
                    throw new DockerException($"pull of {image} failed: {error}", response.StatusCode);
            }
        }
        catch (DockerUnavailableException ex) when (!cancellationToken.IsCancellationRequested && ex.InnerException is OperationCanceledException)
        {
            // The pull's own timeout ran out (the transport's timeouts are its only cancellations when the
            // caller's token is not cancelled): the daemon itself was fine; the pull was too slow (a registry
            // that does not answer). Not measured with a stopwatch: the timer may fire a little before it.
            throw new DockerException($"pull of {image} did not finish within {_options.PullTimeout.TotalSeconds:0.#}s", 0, ex);
        }
    }

    private static string? PullError(string line)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            var detail = (root.Child("errorDetail") ?? default).String("message");
            return detail ?? root.String("error");
        }
        catch (JsonException)
        {
            // Progress lines are for people; a line that does not parse carries no error.
            return null;
        }
    }
}
