using Docker.DotNet.Models;
using Dokkaa.Agent.Docker;
using Xunit;

namespace Dokkaa.Agent.Tests.Docker;

/// <summary>Reading inspect and list answers, including shapes the test daemon does not produce (IPv6 bindings first, unpublished ports).</summary>
public sealed class ContainerMappingTests
{
    [Fact]
    public void Inspect_takes_the_IPv4_binding_and_skips_unpublished_ports()
    {
        var details = ContainerMapping.ToDetails(new ContainerInspectResponse
        {
            ID = "abc",
            Name = "/dummy---nginx",
            Image = "sha256:1",
            State = new() { Status = "exited", Running = false, ExitCode = 137, Error = "", StartedAt = "2026-11-21T19:00:00.5Z", FinishedAt = "0001-01-01T00:00:00Z" },
            Config = new() { Image = "dockerfile/nginx", Labels = new Dictionary<string, string> { ["io.dokkaa.app"] = "dummy" }, Env = ["A=1=2", "B=", "NOVALUE"] },
            NetworkSettings = new()
            {
                Networks = new Dictionary<string, EndpointSettings> { ["bridge"] = new() { IPAddress = "" } },
                Ports = new Dictionary<string, IList<PortBinding>>
                {
                    ["80/tcp"] = [new() { HostIP = "::", HostPort = "49154" }, new() { HostIP = "0.0.0.0", HostPort = "49153" }],
                    ["443/tcp"] = null!,
                    ["53/udp"] = [new() { HostIP = "", HostPort = "5353" }],
                },
            },
        });

        Assert.Equal("dummy---nginx", details.Name);
        Assert.Equal("dockerfile/nginx", details.Image);
        Assert.Equal("sha256:1", details.ImageId);
        Assert.Equal(137, details.ExitCode);
        Assert.Null(details.Error);
        Assert.Equal(new DateTimeOffset(2026, 11, 21, 19, 0, 0, 500, TimeSpan.Zero), details.StartedAt);
        Assert.Null(details.FinishedAt);
        Assert.Null(details.IpAddress);
        Assert.Equal(49153, details.Ports["80/tcp"]);
        Assert.Equal(5353, details.Ports["53/udp"]);
        Assert.False(details.Ports.ContainsKey("443/tcp"));
        Assert.Equal("1=2", details.Env["A"]);
        Assert.Equal("", details.Env["B"]);
        Assert.Equal("", details.Env["NOVALUE"]);
    }

    [Fact]
    public void The_address_is_the_one_on_the_default_bridge()
    {
        var details = ContainerMapping.ToDetails(new ContainerInspectResponse
        {
            ID = "abc",
            NetworkSettings = new() { Networks = new Dictionary<string, EndpointSettings> { ["other"] = new() { IPAddress = "10.1.0.2" }, ["bridge"] = new() { IPAddress = "172.17.0.5" } } },
        });

        Assert.Equal("172.17.0.5", details.IpAddress);
    }

    [Fact]
    public void Inspect_of_a_sparse_answer_does_not_throw()
    {
        var details = ContainerMapping.ToDetails(new ContainerInspectResponse { ID = "abc", State = null!, Config = new() { Labels = null!, Env = null! }, NetworkSettings = new() { Ports = null!, Networks = null! } });

        Assert.Equal("abc", details.Id);
        Assert.Empty(details.Labels);
        Assert.Empty(details.Ports);
        Assert.Empty(details.Env);
        Assert.Null(details.IpAddress);
    }

    [Fact]
    public void A_list_row_has_its_name_without_the_slash()
    {
        var summary = ContainerMapping.ToSummary(new ContainerListResponse
        {
            ID = "abc",
            Names = ["/dummy---nginx---2"],
            Image = "dockerfile/nginx",
            State = "running",
            Labels = new Dictionary<string, string> { ["io.dokkaa.instance"] = "2" },
        });

        Assert.Equal(new ContainerSummary("abc", "dummy---nginx---2", "dockerfile/nginx", "running", summary.Labels), summary);
        Assert.Equal("2", summary.Labels["io.dokkaa.instance"]);
    }
}
