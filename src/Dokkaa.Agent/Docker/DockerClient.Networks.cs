namespace Dokkaa.Agent.Docker;

/// <summary>The network routes: the gateway of a network.</summary>
public sealed partial class DockerClient
{
    public async Task<string?> GetNetworkGatewayAsync(string network = "bridge", CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(HttpMethod.Get, $"networks/{DockerQuery.Path(network)}", cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == 404)
            return null;
        await response.ThrowIfFailedAsync().ConfigureAwait(false);
        return NetworkGateway.Find(await response.ReadJsonAsync().ConfigureAwait(false), NetworkGateway.LocalInterfaceAddresses);
    }
}
