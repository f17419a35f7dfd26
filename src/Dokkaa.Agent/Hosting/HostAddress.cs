using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace Dokkaa.Agent.Hosting;

/// <summary>Picks this host's address when --host-ip is not given: the first IPv4 address of an up, non-loopback, non-Docker interface.</summary>
public static class HostAddress
{
    public static string Detect()
    {
        var candidates =
            from nic in NetworkInterface.GetAllNetworkInterfaces()
            where nic.OperationalStatus == OperationalStatus.Up && nic.NetworkInterfaceType != NetworkInterfaceType.Loopback
            where !nic.Name.StartsWith("docker", StringComparison.Ordinal) && !nic.Name.StartsWith("veth", StringComparison.Ordinal) && !nic.Name.StartsWith("br-", StringComparison.Ordinal)
            from address in nic.GetIPProperties().UnicastAddresses
            where address.Address.AddressFamily == AddressFamily.InterNetwork
            select address.Address.ToString();
        return candidates.FirstOrDefault() ?? "127.0.0.1";
    }
}
