namespace Dokkaa.Agent.Docker;

/// <summary>The network routes: the gateway of a network.</summary>
public sealed partial class DockerClient
{
    public async Task<string?> GetNetworkGatewayAsync(string network = "bridge", CancellationToken cancellationToken = default)
    {
        try
        {
            var inspected = await CallAsync($"GET /networks/{network}", _options.RequestTimeout, (engine, token) => engine.Networks.InspectNetworkAsync(network, token), cancellationToken).ConfigureAwait(false);
            return NetworkGateway.Find(inspected, NetworkGateway.LocalInterfaceAddresses);
        }
        catch (DockerNotFoundException)
        {
            return null;
        }
    }
}
