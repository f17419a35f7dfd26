using System.Net;
using Docker.DotNet.Models;
using Dokkaa.Agent.Docker;
using Xunit;

namespace Dokkaa.Agent.Tests.Docker;

/// <summary>Finding a network's gateway, with and without IPAM's Gateway field.</summary>
public sealed class NetworkGatewayTests
{
    private static readonly Func<string, IEnumerable<IPAddress>> NoInterfaces = _ => [];

    [Fact]
    public void The_IPAM_gateway_wins_and_IPv6_configs_are_passed_over()
    {
        var network = Network([new() { Subnet = "fd00::/64", Gateway = "fd00::1" }, new() { Subnet = "172.18.0.0/16", Gateway = "172.18.0.1/16" }]);

        Assert.Equal("172.18.0.1", NetworkGateway.Find(network, NoInterfaces));
    }

    [Fact]
    public void Without_a_gateway_the_bridge_interface_address_in_the_subnet_is_taken()
    {
        // The shape Docker 20.10 gives for the default bridge when docker0 existed before the daemon started.
        var network = Network([new() { Subnet = "172.17.0.0/16" }], bridge: "docker0");
        IEnumerable<IPAddress> Interfaces(string name) =>
            name == "docker0" ? [IPAddress.Parse("fe80::1"), IPAddress.Parse("10.9.9.9"), IPAddress.Parse("172.17.0.1")] : [];

        Assert.Equal("172.17.0.1", NetworkGateway.Find(network, Interfaces));
    }

    [Fact]
    public void Unknown_is_null()
    {
        Assert.Null(NetworkGateway.Find(Network([]), NoInterfaces));
        Assert.Null(NetworkGateway.Find(Network([new() { Subnet = "172.17.0.0/16" }], bridge: "docker0"), NoInterfaces));
        Assert.Null(NetworkGateway.Find(new NetworkResponse { IPAM = null!, Options = null! }, NoInterfaces));
    }

    private static NetworkResponse Network(IList<IPAMConfig> configs, string? bridge = null) => new()
    {
        IPAM = new() { Config = configs },
        Options = bridge is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["com.docker.network.bridge.name"] = bridge },
    };
}
