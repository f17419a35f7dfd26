using Dokkaa.Core.Cluster;
using Dokkaa.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Dokkaa.Agent.Tests.Integration;

/// <summary>
/// Manifests written straight into etcd by hand, bypassing validation: each must become a clear error
/// in the status while the agent keeps running and other apps stay untouched.
/// </summary>
[Collection(AgentCollection.Name)]
public sealed class BadInputTests : AgentTestBase, IClassFixture<EtcdFixture>
{
    public BadInputTests(EtcdFixture etcd, ITestOutputHelper output) : base(etcd, output) { }

    [Theory]
    [InlineData("notjson", "{ this is not json", "$")]
    [InlineData("wrongtype", """{"image": 5, "scale": "three"}""", "$.image")]
    [InlineData("unknown", """{"image": "dokkaa/busybox:test", "colour": "blue"}""", "$.colour")]
    [InlineData("negative", """{"image": "dokkaa/busybox:test", "scale": -1}""", "$.scale")]
    public async Task A_broken_manifest_is_reported_and_disturbs_nothing_else(string name, string raw, string path)
    {
        await Ops.SetManifestJsonAsync(App, "good", WebManifest(1));
        await WaitConvergedAsync("good");
        var good = (await ContainersAsync()).Single();

        await Client.PutAsync(KeyLayout.Manifest(App, name), raw);

        var status = await WaitForErrorAsync(name, path);
        Output.WriteLine(string.Join("\n", status.Errors));
        Assert.True(Agent.IsRunning, "the agent is still running");
        var after = (await ContainersAsync()).Single();
        Assert.Equal(good.Id, after.Id);
        Assert.Equal("running", after.State);

        // And it still works: a change to the good app is carried out.
        await Ops.ScaleAsync(App, "good", 2);
        await WaitConvergedAsync("good");
    }

    [Fact]
    public async Task Breaking_a_running_manifest_keeps_the_last_valid_version_running()
    {
        await Ops.SetManifestJsonAsync(App, "web", WebManifest(1));
        await WaitConvergedAsync("web");
        var before = (await ContainersAsync()).Single();

        await Client.PutAsync(KeyLayout.Manifest(App, "web"), """{"image": "dokkaa/busybox:test", "scale": "lots"}""");

        await WaitForErrorAsync("web", "last valid version keeps running");
        var after = (await ContainersAsync()).Single();
        Assert.Equal(before.Id, after.Id);
        Assert.Equal("running", after.State);
    }

    [Fact]
    public async Task An_image_that_cannot_be_pulled_is_an_error_in_the_status_not_a_crash_loop()
    {
        // A registry on a closed loopback port: the pull fails at once and no traffic leaves the machine.
        await Ops.SetManifestJsonAsync(App, "ghost", """{"image": "127.0.0.1:1/dokkaa/missing:1", "scale": 1}""");

        var status = await WaitForErrorAsync("ghost", "could not be pulled");
        Output.WriteLine(string.Join("\n", status.Errors));
        Assert.Equal(0, status.Running);
        Assert.True(Agent.IsRunning);
        Assert.Empty(await ContainersAsync());
    }

    [Fact]
    public async Task A_command_that_exits_at_once_is_reported_with_its_exit_code()
    {
        await Ops.SetManifestJsonAsync(App, "quitter", """{"image": "dokkaa/busybox:test", "command": ["sh", "-c", "exit 3"]}""");

        var status = await WaitForErrorAsync("quitter", "exited with code 3");
        Output.WriteLine(string.Join("\n", status.Errors));
        Assert.True(Agent.IsRunning);
    }

    [Fact]
    public async Task A_link_to_a_service_nobody_provides_is_reported_and_the_container_still_runs()
    {
        await Ops.SetManifestJsonAsync(App, "lonely", """{"image": "dokkaa/busybox:test", "command": ["sleep", "3600"], "links": ["nosuch"]}""");

        await WaitForErrorAsync("lonely", "link nosuch: no manifest");
        var status = await Poll.UntilAsync(async () => (await Ops.GetStatusAsync(App, "lonely")).Single(), s => s.Running == 1, "the linking container to run anyway");
        Assert.Contains(status.Errors, e => e.Contains("link nosuch: no manifest in app", StringComparison.Ordinal));
        var env = (await ProcessRunner.RunAsync("docker", "exec", $"{App}---lonely", "env")).StdOut;
        Assert.Contains("SERVICE_NOSUCH_PORT=", env, StringComparison.Ordinal);
    }
}
