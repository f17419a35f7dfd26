using Docker.DotNet.Models;
using Dokkaa.Core.Manifests.Rules;

namespace Dokkaa.Agent.Docker;

/// <summary>The image routes: exists (inspect) and pull.</summary>
public sealed partial class DockerClient
{
    public async Task<bool> ImageExistsAsync(string image, CancellationToken cancellationToken = default)
    {
        try
        {
            await CallAsync($"GET /images/{image}/json", _options.RequestTimeout, (engine, token) => engine.Images.InspectImageAsync(image, token), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (DockerNotFoundException)
        {
            return false;
        }
    }

    public async Task PullImageAsync(string image, CancellationToken cancellationToken = default)
    {
        var (repository, tag) = ImageReference.Split(image);
        var parameters = new ImagesCreateParameters { FromImage = repository, Tag = tag };
        var errors = new PullErrorWatch();
        try
        {
            // Failures found before the download starts (no such registry, no such repository) come as a status...
            await CallAsync($"pull of {image}", _options.PullTimeout, (engine, token) => engine.Images.CreateImageAsync(parameters, null, errors, token), cancellationToken).ConfigureAwait(false);
        }
        catch (DockerUnavailableException ex) when (!cancellationToken.IsCancellationRequested && ex.InnerException is OperationCanceledException)
        {
            // The pull's own deadline ran out (the caller's token is not cancelled): the daemon itself was fine;
            // the pull was too slow (a registry that does not answer). Not measured with a stopwatch: the timer may fire a little before it.
            throw new DockerException($"pull of {image} did not finish within {_options.PullTimeout.TotalSeconds:0.#}s", 0, ex);
        }

        // ...later ones as a line in a stream that still said 200.
        if (errors.Error is { } error)
            throw new DockerException($"pull of {image} failed: {error}", 200);
    }
}
