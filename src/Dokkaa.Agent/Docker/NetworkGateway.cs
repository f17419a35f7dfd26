using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Docker.DotNet.Models;

namespace Dokkaa.Agent.Docker;

/// <summary>
/// Finds the IPv4 gateway of a Docker network from its inspection (<c>GET /networks/{name}</c>).
/// </summary>
/// <remarks>
/// IPAM.Config[].Gateway is the answer when present. The default bridge often lacks it (seen with
/// Docker 20.10 when docker0 already existed as the daemon started: Config holds only the Subnet),
/// yet the gateway is then the address of the bridge interface the network names, and the agent,
/// which must listen on that address, runs on the same host: so read it from the interface.
/// </remarks>
internal static class NetworkGateway
{
    public static string? Find(NetworkResponse network, Func<string, IEnumerable<IPAddress>> interfaceAddresses)
    {
        var configs = network.IPAM?.Config ?? [];
        foreach (var config in configs)
        {
            if (ParseIPv4(config.Gateway) is { } gateway)
                return gateway.ToString();
        }

        string? bridge = null;
        if (network.Options?.TryGetValue("com.docker.network.bridge.name", out bridge) != true || string.IsNullOrEmpty(bridge))
            return null;
        var subnets = configs.Select(c => c.Subnet).OfType<string>().Where(s => s.Length > 0).ToList();
        var candidate = interfaceAddresses(bridge)
            .Where(a => a.AddressFamily == AddressFamily.InterNetwork)
            .FirstOrDefault(a => subnets.Count == 0 || subnets.Any(s => InSubnet(a, s)));
        return candidate?.ToString();
    }

    /// <summary>The IPv4 addresses of a local interface; none when it does not exist here.</summary>
    public static IEnumerable<IPAddress> LocalInterfaceAddresses(string name) =>
        NetworkInterface.GetAllNetworkInterfaces()
            .Where(i => i.Name == name)
            .SelectMany(i => i.GetIPProperties().UnicastAddresses)
            .Select(u => u.Address)
            .ToList();

    // Docker has written gateways both bare and with a prefix length ("172.17.0.1/16").
    private static IPAddress? ParseIPv4(string? text)
    {
        if (string.IsNullOrEmpty(text))
            return null;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var bare = slash >= 0 ? text[..slash] : text;
        return IPAddress.TryParse(bare, out var address) && address.AddressFamily == AddressFamily.InterNetwork ? address : null;
    }

    private static bool InSubnet(IPAddress address, string subnet)
    {
        try
        {
            return IPNetwork.Parse(subnet).Contains(address);
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
