using Dokkaa.Agent.Docker;
using Xunit;

namespace Dokkaa.Agent.Tests.Docker;

/// <summary>What the client asks for: create parameters, filters, image references, endpoints.</summary>
public sealed class RequestShapeTests
{
    [Fact]
    public void Create_parameters_carry_every_spec_field_and_a_bounded_json_file_log()
    {
        var spec = new ContainerSpec
        {
            Name = "dummy---crawler",
            Image = "dockerfile/ubuntu",
            Command = ["/bin/bash", "-c", "echo $SERVICE_NGINX_ADDR"],
            Env = new Dictionary<string, string> { ["SERVICE_NGINX_ADDR"] = "172.17.0.1" },
            Labels = new Dictionary<string, string> { ["io.dokkaa.app"] = "dummy" },
            ExposedPorts = ["80", "53/udp"],
            Dns = ["172.17.0.1"],
            ExtraHosts = ["shop:10.0.0.1"],
            NanoCpus = 500_000_000,
            MemoryBytes = 64 << 20,
            PidsLimit = 100,
        };

        var parameters = ContainerCreateParameters.Build(spec, new DockerClientOptions { LogMaxSize = "5m", LogMaxFiles = 2 });

        Assert.Equal("dummy---crawler", parameters.Name);
        Assert.Equal("dockerfile/ubuntu", parameters.Image);
        Assert.Equal(["/bin/bash", "-c", "echo $SERVICE_NGINX_ADDR"], parameters.Cmd);
        Assert.Equal(["SERVICE_NGINX_ADDR=172.17.0.1"], parameters.Env);
        Assert.Equal("dummy", parameters.Labels!["io.dokkaa.app"]);
        Assert.Equal(["80/tcp", "53/udp"], parameters.ExposedPorts!.Keys);
        var host = parameters.HostConfig!;
        Assert.True(host.PublishAllPorts);
        Assert.Equal(["172.17.0.1"], host.DNS);
        Assert.Equal(["shop:10.0.0.1"], host.ExtraHosts);
        Assert.Equal("json-file", host.LogConfig!.Type);
        Assert.Equal("5m", host.LogConfig.Config!["max-size"]);
        Assert.Equal("2", host.LogConfig.Config!["max-file"]);
        Assert.Equal(500_000_000, host.NanoCPUs);
        Assert.Equal(64 << 20, host.Memory);
        Assert.Equal(100, host.PidsLimit);
    }

    [Fact]
    public void Create_parameters_without_a_command_or_limits_leave_the_images_and_the_daemons()
    {
        var parameters = ContainerCreateParameters.Build(new ContainerSpec { Name = "n", Image = "i" }, DockerClientOptions.Default);

        Assert.Null(parameters.Cmd);
        Assert.Null(parameters.HostConfig!.PidsLimit);
        Assert.Equal(0, parameters.HostConfig.Memory);
        Assert.Equal(0, parameters.HostConfig.NanoCPUs);
    }

    [Fact]
    public void Label_filters_are_key_value_or_key_only()
    {
        var filters = LabelFilters.For(new Dictionary<string, string?> { ["k"] = "v", ["k2"] = null }, ("type", "container"));

        Assert.Equal(["container"], filters["type"].Keys);
        Assert.Equal(["k=v", "k2"], filters["label"].Keys);
        Assert.Empty(LabelFilters.For(new Dictionary<string, string?>()));
    }

    [Theory]
    [InlineData("unix:///var/run/docker.sock", "unix:///var/run/docker.sock", "/var/run/docker.sock")]
    [InlineData("tcp://127.0.0.1:2375", "http://127.0.0.1:2375/", null)]
    [InlineData("tcp://10.0.0.5", "http://10.0.0.5:2375/", null)]
    public void Endpoints_map_to_the_uri_dialled_and_the_socket(string endpoint, string uri, string? socket)
    {
        var parsed = DockerEndpoint.Parse(endpoint);

        Assert.Equal(new Uri(uri), parsed.Uri);
        Assert.Equal(socket, parsed.SocketPath);
        Assert.Equal(endpoint, parsed.Name);
    }
}
