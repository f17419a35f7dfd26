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
    public async Task Keys_whose_names_would_collide_run_nothing_are_reported_and_can_be_removed()
    {
        // /apps/A/a---b and /apps/A---a/b would both be container A---a---b, and removed each other's container forever.
        var otherApp = App + "---a";
        var keys = new[] { KeyLayout.Manifest(App, "a---b"), KeyLayout.Manifest(otherApp, "b") };
        try
        {
            foreach (var key in keys)
                await Client.PutAsync(key, WebManifest(1));
            await Ops.SetManifestJsonAsync(App, "good", WebManifest(1));

            var first = await WaitForErrorAsync("a---b", "key: name \"a---b\"");
            var second = await Poll.UntilAsync(
                async () => (await Ops.GetStatusAsync(otherApp, "b")).SingleOrDefault(),
                s => s is not null && s.Errors.Any(e => e.Contains($"key: app \"{otherApp}\"", StringComparison.Ordinal)),
                "the status of the second key to name its app");
            await WaitConvergedAsync("good");

            Output.WriteLine(string.Join("\n", first.Errors.Concat(second!.Errors)));
            Assert.Equal(0, first.Running + first.Desired);
            Assert.Equal(new[] { ContainerNames.For(App, "good", 1) }, await RunningNamesAsync());
            var collided = await ProcessRunner.RunAsync("docker", "inspect", ContainerNames.For(App, "a---b", 1));
            Assert.NotEqual(0, collided.ExitCode);

            // The tools remove what the agent reports, and the reports go with the keys.
            await Ops.RemoveManifestAsync(App, "a---b");
            await Ops.RemoveManifestAsync(otherApp, "b");
            await Poll.UntilAsync(async () => (await Ops.GetStatusAsync(App + "*")).Select(s => s.Name).ToList(), names => names.SequenceEqual(new[] { "good" }), "only the good manifest to have a status");
        }
        finally
        {
            foreach (var key in keys)
                await Client.DeleteAsync(key);
            // Only an agent that broke the rule would have made one; the base class cleans up App's containers only.
            foreach (var container in await Docker.ListContainersAsync(new Dictionary<string, string?> { [ContainerNames.AppLabel] = otherApp }))
                await Docker.RemoveContainerAsync(container.Id);
        }
    }

    [Fact]
    public async Task A_manifest_with_thousands_of_errors_gets_a_bounded_status_and_the_statuses_after_it_stay_fresh()
    {
        // 40,000 command items of the wrong type: 80 KB of manifest, 2.5 MB of status before errors were bounded,
        // which etcd refused, and every status after it went stale.
        var items = string.Join(",", Enumerable.Repeat("1", 40_000));
        await Client.PutAsync(KeyLayout.Manifest(App, "aaa-hostile"), $$"""{"image":"{{TestImage}}","command":[{{items}}]}""");
        await Ops.SetManifestJsonAsync(App, "zzz-after", WebManifest(1));

        var hostile = await WaitForErrorAsync("aaa-hostile", "more error(s)");
        var after = await WaitConvergedAsync("zzz-after");

        Output.WriteLine(string.Join("\n", hostile.Errors.Take(3)));
        Assert.InRange(hostile.Errors.Count, 2, 22);
        Assert.Contains(hostile.Errors, e => e.Contains("$.command[0]", StringComparison.Ordinal));
        Assert.Equal(1, after.Running);

        // And a later change after it is still reported.
        await Ops.ScaleAsync(App, "zzz-after", 2);
        await WaitConvergedAsync("zzz-after");
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
