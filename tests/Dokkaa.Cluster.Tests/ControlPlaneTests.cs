using System.Collections.Concurrent;
using System.Diagnostics;
using Dokkaa.Cluster.Tests.Support;
using Dokkaa.Core.Cluster;
using Dokkaa.Core.Manifests;
using Dokkaa.Dev;
using Dokkaa.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Dokkaa.Cluster.Tests;

/// <summary>
/// The cluster keeps working while its control plane changes under it: the etcd leader dies, a manifest is
/// rolled to a new version while a client keeps sending requests through its link.
/// </summary>
public sealed class ControlPlaneTests : IClassFixture<FastCluster>
{
    private static readonly TimeSpan Converge = TimeSpan.FromSeconds(60);
    private readonly FastCluster _cluster;
    private readonly ClusterProbe _probe;
    private readonly ITestOutputHelper _output;

    public ControlPlaneTests(FastCluster cluster, ITestOutputHelper output)
    {
        _cluster = cluster;
        _probe = new ClusterProbe(cluster);
        _output = output;
    }

    [Fact]
    public Task Killing_the_etcd_leader_loses_no_instance_and_a_later_change_converges() => _cluster.GuardAsync(_output, "etcd", async () =>
    {
        const string app = "etcd";
        var hosts = _cluster.HostNames;
        await _cluster.Ops.SetManifestJsonAsync(app, "web", Manifests.Web(3));
        var (before, _) = await _probe.WaitConvergedAsync(app, "web", 3, hosts, Converge);
        var leasesBefore = await HostLeasesAsync();

        var leader = (await _cluster.DevAsync(_output, "etcd", "leader")).Trim();
        var stopwatch = Stopwatch.StartNew();
        await _cluster.DevAsync(_output, "etcd", "kill", leader);
        try
        {
            // A change made right after the kill: the operations' client moves to another member, retried while
            // the remaining two elect a leader.
            await Poll.UntilAsync(async () => (await _cluster.Ops.ScaleAsync(app, "web", 5)).Kind, _ => true,
                "the scale change to be written without the old leader", TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(200));
            var written = stopwatch.Elapsed;
            var (after, _) = await _probe.WaitConvergedAsync(app, "web", 5, hosts, Converge);
            var converged = stopwatch.Elapsed;
            var newLeader = (await _cluster.DevAsync(null, "etcd", "leader")).Trim();
            var leasesAfter = await HostLeasesAsync();
            _output.WriteLine($"etcd leader {leader} killed; {newLeader} leads. Scale 3 -> 5 written {Figures.Seconds(written)} after the kill, " +
                              $"converged {Figures.Seconds(converged)} after it: {Figures.PerHost(after.RunningPerHost(hosts))}");
            _output.WriteLine($"host leases before {string.Join(", ", leasesBefore.Select(kv => $"{kv.Key}={kv.Value:x}"))}, after {string.Join(", ", leasesAfter.Select(kv => $"{kv.Key}={kv.Value:x}"))}");

            Assert.NotEqual(leader, newLeader);
            // No instance lost: the first three still run in the very same containers; none twice (census), and the
            // agents kept their leases (none expired during the election).
            foreach (var container in before.Running)
                Assert.Contains(after.Running, c => c.Id == container.Id && c.Host == container.Host && c.Instance == container.Instance);
            Assert.Equal(leasesBefore, leasesAfter);
        }
        finally
        {
            await _cluster.DevAsync(_output, "etcd", "start", leader);
            var member = _cluster.State.Member(leader);
            await Poll.UntilAsync(() => EtcdClusterLauncher.IsHealthyAsync(_cluster.State.Etcd, member.ClientUrl), $"{leader} to be healthy again", TimeSpan.FromSeconds(30));
        }

        // And the cluster goes on with all three members.
        await _cluster.Ops.ScaleAsync(app, "web", 3);
        await _probe.WaitConvergedAsync(app, "web", 3, hosts, Converge, noLeftovers: true);
    });

    [Fact]
    public Task Rolling_update_under_requests_through_the_link_fails_no_request() => _cluster.GuardAsync(_output, "roll", async () =>
    {
        const string app = "roll";
        const int scale = 2;
        var hosts = _cluster.HostNames;
        await _cluster.Ops.SetManifestJsonAsync(app, "web", Manifests.Web(scale, env: new Dictionary<string, string> { ["VERSION"] = "1" }));
        await _probe.WaitConvergedAsync(app, "web", scale, hosts, Converge);
        // The client reaches web only through its link: SERVICE_WEB_ADDR/PORT is its host's ambassador, which picks a
        // running instance for every connection. One request every 100 ms, one line per request.
        const string script = """
            while true; do
              r=$(printf 'GET / HTTP/1.0\r\n\r\n' | nc -w 3 "$SERVICE_WEB_ADDR" "$SERVICE_WEB_PORT" 2>&1 | tail -n 1)
              if [ "$r" = "ok" ]; then echo OK; else echo "FAIL [$r]"; fi
              sleep 0.1
            done
            """;
        await _cluster.Ops.SetManifestJsonAsync(app, "client", Manifests.Shell(script, links: new[] { "web" }));
        var (client, _) = await _probe.WaitConvergedAsync(app, "client", 1, hosts, Converge);
        var clientContainer = client.Running.Single();
        var lines0 = await Poll.UntilAsync(() => LogLinesAsync(clientContainer), l => l.Count(x => x == "OK") >= 10 && l[^1] == "OK",
            "the client to get answers through its link", TimeSpan.FromSeconds(30));
        _output.WriteLine($"client on {clientContainer.Host}; before the update: {lines0.Count(l => l == "OK")} OK, {lines0.Count(l => l != "OK")} failed (while web was starting)");

        // Sample the web containers every ~100 ms during the update: never fewer than scale-1 running.
        using var stopSampling = new CancellationTokenSource();
        var fewest = new ConcurrentQueue<int>();
        var sampler = Task.Run(async () =>
        {
            while (!stopSampling.IsCancellationRequested)
            {
                var running = (await _probe.ContainersAsync(hosts, app, "web")).Where(c => c.Running).Select(c => c.Instance.Instance).Distinct().Count();
                fewest.Enqueue(running);
                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(100), stopSampling.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }
        });

        var v2 = Manifests.Web(scale, env: new Dictionary<string, string> { ["VERSION"] = "2" });
        var newHash = ManifestSerializer.ContainerHash(ManifestParser.Parse(v2));
        var stopwatch = Stopwatch.StartNew();
        await _cluster.Ops.SetManifestJsonAsync(app, "web", v2);
        var (updated, _) = await Poll.UntilAsync(
            async () => (Census: await _probe.CensusAsync(app, "web", scale, hosts, noLeftovers: true), Rollout: (await _cluster.Ops.LoadStateAsync()).Rollouts.ContainsKey(new ManifestId(app, "web"))),
            r => r.Census.Converged && r.Census.Running.All(c => c.Hash == newHash) && !r.Rollout,
            "every web instance to run the new manifest", TimeSpan.FromSeconds(90), TimeSpan.FromMilliseconds(100));
        var rolled = stopwatch.Elapsed;
        await stopSampling.CancelAsync();
        await sampler;

        // A few more requests after the update, then count everything the client saw from the update on.
        var afterUpdate = await LogLinesAsync(clientContainer);
        var lines = await Poll.UntilAsync(() => LogLinesAsync(clientContainer), l => l.Count >= afterUpdate.Count + 10, "ten more requests", TimeSpan.FromSeconds(30));
        var during = lines.Skip(lines0.Count).ToList();
        var failed = during.Where(l => l != "OK").ToList();
        _output.WriteLine($"rolling update VERSION 1 -> 2 of {scale} instances took {Figures.Seconds(rolled)} ({Figures.PerHost(updated.RunningPerHost(hosts))}); " +
                          $"fewest web instances running in a sample: {fewest.Min()} ({fewest.Count} samples)");
        _output.WriteLine($"requests through the link from the update on: {during.Count}, ok {during.Count - failed.Count}, failed {failed.Count} {string.Join(" ", failed.Distinct().Take(5))}");
        Assert.Empty(failed);
        Assert.True(during.Count >= 20, $"only {during.Count} requests");
        Assert.True(fewest.Min() >= scale - 1, $"only {fewest.Min()} instances ran at one moment");
    });

    private async Task<IReadOnlyList<string>> LogLinesAsync(RealContainer container)
    {
        var logs = await ProcessRunner.RunAsync("docker", "-H", _cluster.State.Host(container.Host).DockerSocket, "logs", container.Id);
        Assert.True(logs.ExitCode == 0, logs.All);
        return logs.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    private async Task<IReadOnlyDictionary<string, long>> HostLeasesAsync()
    {
        var range = await _cluster.Etcd.RangeAsync(KeyLayout.HostsPrefix, prefix: true);
        return range.Kvs.ToDictionary(kv => kv.Key[KeyLayout.HostsPrefix.Length..], kv => kv.Lease, StringComparer.Ordinal);
    }
}
