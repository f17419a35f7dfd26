using System.Net;
using System.Text.Json;
using Dokkaa.Agent.Docker;
using Xunit;

namespace Dokkaa.Agent.Tests.Docker;

/// <summary>What the client writes: create bodies, filters, image references, endpoints.</summary>
public sealed class RequestShapeTests
{
    [Fact]
    public void Create_body_carries_every_spec_field_and_a_bounded_json_file_log()
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
        };

        var body = JsonDocument.Parse(ContainerCreateBody.Build(spec, new DockerClientOptions { LogMaxSize = "5m", LogMaxFiles = 2 }).ToJsonString()).RootElement;

        Assert.Equal("dockerfile/ubuntu", body.GetProperty("Image").GetString());
        Assert.Equal(["/bin/bash", "-c", "echo $SERVICE_NGINX_ADDR"], body.GetProperty("Cmd").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["SERVICE_NGINX_ADDR=172.17.0.1"], body.GetProperty("Env").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("dummy", body.GetProperty("Labels").GetProperty("io.dokkaa.app").GetString());
        Assert.Equal(["80/tcp", "53/udp"], body.GetProperty("ExposedPorts").EnumerateObject().Select(p => p.Name));
        var host = body.GetProperty("HostConfig");
        Assert.True(host.GetProperty("PublishAllPorts").GetBoolean());
        Assert.Equal("172.17.0.1", host.GetProperty("Dns")[0].GetString());
        Assert.Equal("shop:10.0.0.1", host.GetProperty("ExtraHosts")[0].GetString());
        Assert.Equal("json-file", host.GetProperty("LogConfig").GetProperty("Type").GetString());
        Assert.Equal("5m", host.GetProperty("LogConfig").GetProperty("Config").GetProperty("max-size").GetString());
        Assert.Equal("2", host.GetProperty("LogConfig").GetProperty("Config").GetProperty("max-file").GetString());
    }

    [Fact]
    public void Create_body_without_a_command_leaves_the_image_command()
    {
        var body = ContainerCreateBody.Build(new ContainerSpec { Name = "n", Image = "i" }, DockerClientOptions.Default);

        Assert.False(body.ContainsKey("Cmd"));
    }

    [Fact]
    public void Label_filters_are_key_value_or_key_only()
    {
        var query = DockerQuery.Filters(new Dictionary<string, string?> { ["k"] = "v", ["k2"] = null }, ("type", "container"));

        Assert.Equal("""filters={"type":["container"],"label":["k=v","k2"]}""", WebUtility.UrlDecode(query));
        Assert.Equal("", DockerQuery.Filters(new Dictionary<string, string?>()));
    }

    [Theory]
    [InlineData("dockerfile/nginx", "dockerfile/nginx", "latest")]
    [InlineData("dokkaa/busybox:test", "dokkaa/busybox", "test")]
    [InlineData("127.0.0.1:5000/app", "127.0.0.1:5000/app", "latest")]
    [InlineData("127.0.0.1:1/nope:1", "127.0.0.1:1/nope", "1")]
    [InlineData("app@sha256:abc", "app", "sha256:abc")]
    public void Image_references_split_into_repository_and_tag(string image, string repository, string tag)
    {
        Assert.Equal((repository, tag), ImageReference.Split(image));
    }

    [Fact]
    public void Path_segments_are_escaped_but_slashes_kept()
    {
        Assert.Equal("dockerfile/nginx", DockerQuery.Path("dockerfile/nginx"));
        Assert.Equal("a%3Fb/c%23d", DockerQuery.Path("a?b/c#d"));
    }

    [Theory]
    [InlineData("unix:///var/run/docker.sock", "http://docker/v1.41/", "/var/run/docker.sock")]
    [InlineData("tcp://127.0.0.1:2375", "http://127.0.0.1:2375/v1.41/", null)]
    [InlineData("tcp://10.0.0.5", "http://10.0.0.5:2375/v1.41/", null)]
    public void Endpoints_map_to_a_base_address_and_socket(string endpoint, string baseAddress, string? socket)
    {
        var parsed = DockerEndpoint.Parse(endpoint);

        Assert.Equal(new Uri(baseAddress), parsed.BaseAddress);
        Assert.Equal(socket, parsed.SocketPath);
    }
}
