using System.Diagnostics;
using Dokkaa.Cluster.Tests.Support;
using Dokkaa.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Dokkaa.Cluster.Tests;

/// <summary>
/// A host cut off the network (<c>dokkaa dev partition</c>: its link down; its agent, dockerd and containers keep
/// running) for longer than the lease TTL, then healed. By default its containers keep serving while cut off and
/// the duplicates go once it is back; with <c>"exclusive": true</c> it stops its copy before the lease can expire,
/// so no instance ever runs twice.
/// </summary>
public sealed class PartitionTests : IClassFixture<FastCluster>
{
    private static readonly TimeSpan Converge = TimeSpan.FromSeconds(60);
    private readonly FastCluster _cluster;
    private readonly ClusterProbe _probe;
    private readonly ITestOutputHelper _output;

    public PartitionTests(FastCluster cluster, ITestOutputHelper output)
    {
        _cluster = cluster;
        _probe = new ClusterProbe(cluster);
        _output = output;
    }

    [Fact]
    public Task Partitioned_host_keeps_its_containers_and_after_heal_exactly_scale_run() => _cluster.GuardAsync(_output, "part", async () =>
    {
        const string app = "part";
        const int scale = 3;
        var hosts = _cluster.HostNames;
        await _cluster.Ops.SetManifestJsonAsync(app, "web", Manifests.Web(scale));
        await _probe.WaitConvergedAsync(app, "web", scale, hosts, Converge);
        const string victim = "h3";
        var others = hosts.Where(h => h != victim).ToList();
        var cutOff = (await _probe.ContainersAsync(new[] { victim }, app)).Where(c => c.Running).ToList();
        Assert.Single(cutOff);

        await _cluster.DevAsync(_output, "partition", victim);
        var stopwatch = Stopwatch.StartNew();
        // The others take over once h3's lease has expired; h3, cut off, keeps its copy running (availability first).
        var (takenOver, tookOver) = await _probe.WaitConvergedAsync(app, "web", scale, others, Converge);
        var copiesWhileCut = (await _probe.ContainersAsync(hosts, app)).Where(c => c.Running).ToList();
        _output.WriteLine($"partition {victim}: instances running on {string.Join(", ", others)} after {Figures.Seconds(tookOver)} " +
                          $"({Figures.PerHost(takenOver.RunningPerHost(others))}); copies running anywhere while cut off: {copiesWhileCut.Count} [{string.Join(", ", copiesWhileCut)}]");
        Assert.True(tookOver > _cluster.Ttl / 2, $"taken over after {Figures.Seconds(tookOver)}, before the lease could expire");
        Assert.Contains(copiesWhileCut, c => c.Host == victim && c.Id == cutOff[0].Id);
        Assert.DoesNotContain(victim, await _cluster.RegisteredHostsAsync());
        // Cut off for longer than the TTL before healing.
        await Poll.UntilAsync(() => Task.FromResult(stopwatch.Elapsed), t => t > _cluster.Ttl * 2, "the partition to last two TTLs", TimeSpan.FromSeconds(30));

        stopwatch.Restart();
        await _cluster.DevAsync(_output, "heal", victim);
        await _cluster.WaitAllRegisteredAsync();
        var (healed, tookHeal) = await _probe.WaitConvergedAsync(app, "web", scale, hosts, Converge, noLeftovers: true);
        _output.WriteLine($"heal {victim}: exactly {scale} running after {Figures.Seconds(tookHeal)} ({Figures.PerHost(healed.RunningPerHost(hosts))}); " +
                          $"its stale copy {cutOff[0].Name} {(healed.Containers.Any(c => c.Id == cutOff[0].Id) ? "is still there" : "is gone")}");
        Assert.DoesNotContain(healed.Containers, c => c.Id == cutOff[0].Id);
        Assert.Equal(scale, healed.Running.Count);
    });

    [Fact]
    public Task Exclusive_instances_never_run_twice_through_a_partition_and_heal() => _cluster.GuardAsync(_output, "excl", async () =>
    {
        const string app = "excl";
        const int scale = 3;
        var hosts = _cluster.HostNames;
        await _cluster.Ops.SetManifestJsonAsync(app, "web", Manifests.Web(scale, exclusive: true));
        await _probe.WaitConvergedAsync(app, "web", scale, hosts, Converge);
        const string victim = "h2";
        var others = hosts.Where(h => h != victim).ToList();
        var cutOff = (await _probe.ContainersAsync(new[] { victim }, app)).Single(c => c.Running);
        await using var sampler = new DoubleRunSampler(_probe, hosts, app, victim, cutOff.Instance);

        await _cluster.DevAsync(_output, "partition", victim);
        // Timed from when the command returned: taking the link down is the last thing it does.
        var partitionAt = sampler.Elapsed;
        var (takenOver, tookOver) = await _probe.WaitConvergedAsync(app, "web", scale, others, Converge);
        await Poll.UntilAsync(() => Task.FromResult(sampler.Elapsed - partitionAt), t => t > _cluster.Ttl * 2, "the partition to last two TTLs", TimeSpan.FromSeconds(30));
        var healAt = sampler.Elapsed;
        await _cluster.DevAsync(_output, "heal", victim);
        await _cluster.WaitAllRegisteredAsync();
        var (healed, tookHeal) = await _probe.WaitConvergedAsync(app, "web", scale, hosts, Converge, noLeftovers: true);
        // A little more sampling after convergence: nothing may start twice once the healed host is back either.
        await Poll.UntilAsync(() => Task.FromResult(sampler.Elapsed - healAt), t => t > tookHeal + TimeSpan.FromSeconds(2), "two more seconds of samples", TimeSpan.FromSeconds(30));
        await sampler.StopAsync();

        _output.WriteLine($"exclusive, partition {victim} (lease ttl {_cluster.LeaseTtl}): instances running on {string.Join(", ", others)} {Figures.Seconds(tookOver)} after the cut " +
                          $"({Figures.PerHost(takenOver.RunningPerHost(others))}); after heal exactly {scale} running in {Figures.Seconds(tookHeal)} ({Figures.PerHost(healed.RunningPerHost(hosts))})");
        sampler.Report(_output, partitionAt, $"partition {victim}");
    });
}
