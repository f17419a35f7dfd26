using Dokkaa.Core.Cluster;
using Dokkaa.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Dokkaa.Agent.Tests.Integration;

/// <summary>The Dokkaa README's "Basic example", verbatim manifests, on real etcd and Docker.</summary>
[Collection(AgentCollection.Name)]
public sealed class SeedExampleTests : AgentTestBase, IClassFixture<EtcdFixture>
{
    public SeedExampleTests(EtcdFixture etcd, ITestOutputHelper output) : base(etcd, output) { }

    [Fact]
    public async Task Nginx_and_the_crawler_run_and_the_crawler_fetches_nginx_through_its_link()
    {
        var examples = Path.Combine(RepoPaths.Root, "examples");
        await Ops.SetManifestJsonAsync(App, "nginx", await File.ReadAllTextAsync(Path.Combine(examples, "nginx.json")));
        await Ops.SetManifestJsonAsync(App, "crawler", await File.ReadAllTextAsync(Path.Combine(examples, "crawler.json")));

        await WaitConvergedAsync("nginx");
        await WaitConvergedAsync("crawler");
        Assert.Equal(new[] { $"{App}---crawler", $"{App}---nginx" }, await RunningNamesAsync());

        // The seed's bash/curl loop, unchanged, reaches nginx through SERVICE_NGINX_ADDR:SERVICE_NGINX_PORT.
        var logs = await Poll.UntilAsync(() => LogsAsync($"{App}---crawler"), l => l.Contains("Welcome to nginx", StringComparison.Ordinal), "the crawler to fetch the nginx welcome page");
        Output.WriteLine(logs.Length > 2000 ? logs[..2000] : logs);

        var crawler = await Docker.InspectContainerAsync($"{App}---crawler");
        var env = (await ProcessRunner.RunAsync("docker", "exec", $"{App}---crawler", "env")).StdOut;
        Assert.Contains("SERVICE_NGINX_ADDR=", env, StringComparison.Ordinal);
        Assert.Contains("SERVICE_NGINX_PORT=", env, StringComparison.Ordinal);
        Assert.Contains($"DOKKAA_APP={App}", env, StringComparison.Ordinal);
        Assert.Contains("DOKKAA_NAME=crawler", env, StringComparison.Ordinal);
        Assert.Contains("DOKKAA_INSTANCE=1", env, StringComparison.Ordinal);
        Assert.Equal("crawler", crawler!.Labels[ContainerNames.NameLabel]);

        // The claim records the published port of nginx's service port.
        var nginx = Assert.Single(await Ops.GetContainersAsync(App, "nginx"));
        Assert.Equal(InstanceState.Running, nginx.State);
        Assert.True(nginx.Ports.TryGetValue("80/tcp", out var hostPort) && hostPort > 0, "port 80/tcp is published and recorded in the claim");
        Assert.Equal(Agent.Options.HostId, nginx.Host);
    }
}
