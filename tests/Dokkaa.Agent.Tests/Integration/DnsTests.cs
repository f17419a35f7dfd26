using System.Net;
using Dokkaa.Agent.Docker;
using Dokkaa.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Dokkaa.Agent.Tests.Integration;

/// <summary>The agent's .container DNS, asked by dig on the host and by a container through its resolv.conf.</summary>
[Collection(AgentCollection.Name)]
public sealed class DnsTests : AgentTestBase, IClassFixture<EtcdFixture>
{
    private static readonly int DnsPort = FreePort.Tcp();
    private static readonly string Gateway = BridgeGateway();

    public DnsTests(EtcdFixture etcd, ITestOutputHelper output)
        : base(etcd, output, o => o with { DnsListen = new[] { $"{Gateway}:53", $"127.0.0.1:{DnsPort}" } })
    {
    }

    [Fact]
    public async Task Dig_finds_instances_and_their_ports_as_daprdockr_showed()
    {
        await Ops.SetManifestJsonAsync(App, "web", WebManifest(2));
        await WaitConvergedAsync("web");
        var web1 = (await Ops.GetContainersAsync(App, "web")).Single(c => c.Instance == 1);

        var a = await DigAsync($"1.web.{App}.container");
        Assert.Equal("127.0.0.1", a.Trim());

        var srv = await DigAsync($"80.tcp.1.web.{App}.container", "SRV");
        Assert.Equal($"0 0 {web1.Ports["80/tcp"]} 1.web.{App}.container.", srv.Trim());

        var all = await DigAsync($"_web._tcp.{App}.container", "SRV");
        Assert.Equal(2, all.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);

        var missing = await ProcessRunner.RunAsync("dig", "@127.0.0.1", "-p", DnsPort.ToString(System.Globalization.CultureInfo.InvariantCulture), $"9.web.{App}.container");
        Assert.Contains("status: NXDOMAIN", missing.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_container_resolves_container_names_through_its_resolv_conf()
    {
        await Ops.SetManifestJsonAsync(App, "web", WebManifest(1));
        await Ops.SetManifestJsonAsync(App, "client", """{"image":"dokkaa/busybox:test","command":["sleep","3600"]}""");
        await WaitConvergedAsync("web");
        await WaitConvergedAsync("client");

        var resolv = await ProcessRunner.RunAsync("docker", "exec", $"{App}---client", "cat", "/etc/resolv.conf");
        Assert.Contains($"nameserver {Gateway}", resolv.StdOut, StringComparison.Ordinal);
        var lookup = await Poll.UntilAsync(
            () => ProcessRunner.RunAsync("docker", "exec", $"{App}---client", "nslookup", $"1.web.{App}.container"),
            r => r.StdOut.Contains("127.0.0.1", StringComparison.Ordinal),
            "nslookup inside the container to answer from the agent's DNS");
        Output.WriteLine(lookup.StdOut);
    }

    private async Task<string> DigAsync(string name, string type = "A")
    {
        var result = await ProcessRunner.RunAsync("dig", "+short", "@127.0.0.1", "-p", DnsPort.ToString(System.Globalization.CultureInfo.InvariantCulture), name, type);
        Assert.Equal(0, result.ExitCode);
        return result.StdOut;
    }

    private static string BridgeGateway()
    {
        using var docker = DockerClient.FromEndpoint();
        var gateway = docker.GetNetworkGatewayAsync().GetAwaiter().GetResult();
        return gateway is not null && IPAddress.TryParse(gateway, out _) ? gateway : "172.17.0.1";
    }
}
