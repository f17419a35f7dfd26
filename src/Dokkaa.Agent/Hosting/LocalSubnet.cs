using System.Net;
using System.Net.NetworkInformation;
using Dokkaa.Dns.Limits;

namespace Dokkaa.Agent.Hosting;

/// <summary>The subnet of an address this machine holds: for the Docker bridge gateway, the subnet its containers are in.</summary>
internal static class LocalSubnet
{
    /// <summary>The network of the interface address equal to <paramref name="address"/>; null when no interface has it.</summary>
    public static IPNetwork? Of(IPAddress address)
    {
        foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
        {
            foreach (var unicast in nic.GetIPProperties().UnicastAddresses)
            {
                if (unicast.Address.Equals(address))
                    return DnsRateLimitOptions.NetworkOf(address, unicast.PrefixLength);
            }
        }

        return null;
    }
}
