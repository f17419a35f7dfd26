using Dokkaa.Agent.Containers;
using Dokkaa.Core.Cluster;
using Dokkaa.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Dokkaa.Agent.Tests.Integration;

/// <summary>A manifest that asks for no limits still gets the host's (--default-memory, --default-pids), enforced by the kernel.</summary>
[Collection(AgentCollection.Name)]
public sealed class ContainerLimitsTests : AgentTestBase, IClassFixture<EtcdFixture>
{
    private static readonly ContainerLimits Small = new(96L * 1024 * 1024, 0, 64);

    public ContainerLimitsTests(EtcdFixture etcd, ITestOutputHelper output)
        : base(etcd, output, configure: o => o with { ContainerDefaults = Small })
    {
    }

    [Fact]
    public async Task A_container_without_resources_runs_under_the_host_defaults()
    {
        await Ops.SetManifestJsonAsync(App, "web", WebManifest(1));
        await WaitConvergedAsync("web");
        var name = ContainerNames.For(App, "web", 1);

        var inspect = await ProcessRunner.RunAsync("docker", "inspect", "-f", "{{.HostConfig.Memory}} {{.HostConfig.PidsLimit}} {{.HostConfig.NanoCpus}}", name);
        // What the kernel enforces (cgroup v1 on these hosts, v2 elsewhere).
        var cgroup = await ProcessRunner.RunAsync("docker", "exec", name, "sh", "-c",
            "cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max; cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max");

        Assert.Equal($"{96L * 1024 * 1024} 64 0", inspect.StdOut.Trim());
        Assert.Equal(new[] { "64", (96L * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture) }, cgroup.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    [Fact]
    public async Task What_the_manifest_reserves_replaces_the_memory_default()
    {
        await Ops.SetManifestJsonAsync(App, "web", WebManifest(1, ""","resources":{"memory":"48m"}"""));
        await WaitConvergedAsync("web");

        var inspect = await ProcessRunner.RunAsync("docker", "inspect", "-f", "{{.HostConfig.Memory}} {{.HostConfig.PidsLimit}}", ContainerNames.For(App, "web", 1));

        Assert.Equal($"{48L * 1024 * 1024} 64", inspect.StdOut.Trim());
    }
}
