using System.Net;
using System.Net.Sockets;

namespace Dokkaa.Testing;

/// <summary>Free loopback ports for servers a test starts (etcd, DNS, nginx).</summary>
public static class FreePort
{
    public static int Tcp()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
