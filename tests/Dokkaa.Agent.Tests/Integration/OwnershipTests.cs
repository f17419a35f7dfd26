using Dokkaa.Core.Cluster;
using Dokkaa.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Dokkaa.Agent.Tests.Integration;

/// <summary>What Dokkaa does not own it never touches: a container made by hand keeps running whatever its name.</summary>
[Collection(AgentCollection.Name)]
public sealed class OwnershipTests : AgentTestBase, IClassFixture<EtcdFixture>
{
    public OwnershipTests(EtcdFixture etcd, ITestOutputHelper output) : base(etcd, output) { }

    [Fact]
    public async Task A_container_with_the_instance_name_that_Dokkaa_does_not_own_is_left_alone_and_the_status_says_why()
    {
        var name = ContainerNames.For(App, "web", 1);
        var made = await ProcessRunner.RunAsync("docker", "run", "-d", "--name", name, TestImage, "sleep", "3600");
        Assert.True(made.ExitCode == 0, made.All);
        var byHand = made.StdOut.Trim();
        try
        {
            await Ops.SetManifestJsonAsync(App, "web", WebManifest(1));

            var status = await WaitForErrorAsync("web", "in use by a container Dokkaa does not own");
            Output.WriteLine(string.Join("\n", status.Errors));
            var claim = (await Ops.GetContainersAsync(App, "web")).Single();
            Assert.Contains("Dokkaa does not own", claim.Error, StringComparison.Ordinal);
            var inspect = await ProcessRunner.RunAsync("docker", "inspect", "-f", "{{.Id}} {{.State.Running}}", name);
            Assert.Equal($"{byHand} true", inspect.StdOut.Trim());

            // Once the operator frees the name, the instance starts under it.
            await ProcessRunner.RunAsync("docker", "rm", "-f", byHand);
            await WaitConvergedAsync("web", TimeSpan.FromSeconds(90));
            Assert.Equal(new[] { name }, await RunningNamesAsync("web"));
        }
        finally
        {
            await ProcessRunner.RunAsync("docker", "rm", "-f", byHand);
        }
    }
}
