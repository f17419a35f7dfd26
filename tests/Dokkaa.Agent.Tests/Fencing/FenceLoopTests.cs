using Dokkaa.Agent.Fencing;
using Dokkaa.Agent.Tests.Fixtures;
using Dokkaa.Core.Cluster;
using Dokkaa.Core.Threading;
using Dokkaa.Testing;
using Dokkaa.Testing.Time;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace Dokkaa.Agent.Tests.Fencing;

/// <summary>
/// The fence process's loop against the real Docker daemon, on a manual clock: it leaves everything alone while the
/// agent's last renewal is fresh, then stops exactly this host's exclusive containers, and exits once the agent is
/// gone and none of them runs.
/// </summary>
public sealed class FenceLoopTests : IClassFixture<DockerFixture>, IDisposable
{
    private const string Boot = "boot-1";
    private readonly DockerFixture _docker;
    private readonly string _dataDir = Directory.CreateTempSubdirectory("dokkaa-fence-loop-").FullName;

    // Early enough that the manual clock's ticks, in nanoseconds, fit a long.
    private readonly TimerCountingTimeProvider _clock = new(new DateTimeOffset(100, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public FenceLoopTests(DockerFixture docker) => _docker = docker;

    public void Dispose() => Directory.Delete(_dataDir, recursive: true);

    [Fact]
    public async Task Stops_only_this_hosts_exclusive_containers_once_the_renewal_is_half_a_ttl_old_and_exits_when_the_agent_is_gone()
    {
        await using var scope = _docker.NewScope();
        var host = "fence-" + scope.Id;
        var app = "fx" + scope.Id;
        var exclusive = await RunInstanceAsync(scope, app, "lock", host);
        var ordinary = await RunInstanceAsync(scope, app, "web", host);
        var elsewhere = await RunInstanceAsync(scope, app, "lock", "another-host", instance: 2);

        var files = new FenceFiles(_dataDir);
        files.Write(new FenceRecord
        {
            HostId = host,
            LeaseId = 0x2a,
            TtlMs = 2000,
            RenewedAtNs = MonotonicClock.Nanoseconds(_clock),
            BootId = Boot,
            Exclusive = new[] { $"{app}/lock" },
            AgentPid = 4242,
        });
        var agentAlive = true;
        var loop = new FenceLoop(files, _docker.Client, NullLogger.Instance, _clock, Boot, pid => pid == 4242 && agentAlive);
        using var stop = new CancellationTokenSource();
        var run = loop.RunAsync(stop.Token);
        try
        {
            // Parked until half the TTL after the renewal: nothing stopped.
            await Poll.UntilAsync(() => _clock.ArmedTimers >= 1, "the loop to wait for the renewal to age", TimeSpan.FromSeconds(10));
            Assert.True(await RunningAsync(exclusive));

            _clock.Advance(TimeSpan.FromSeconds(1) + TimeSpan.FromMilliseconds(2));
            await Poll.UntilAsync(async () => !await RunningAsync(exclusive), "the exclusive container to be stopped", TimeSpan.FromSeconds(30));
            Assert.True(await RunningAsync(ordinary), "a container of a manifest that is not exclusive was stopped");
            Assert.True(await RunningAsync(elsewhere), "a container labelled for another host was stopped");
            Assert.True(files.TakeStopped(exclusive), "the stop was not recorded for the agent");
            Assert.False(run.IsCompleted, "the loop ended while the agent lives");

            // The agent is gone and nothing exclusive runs: nothing left to guard.
            agentAlive = false;
            await Poll.UntilAsync(() =>
            {
                _clock.Advance(TimeSpan.FromMilliseconds(100));
                return run.IsCompleted;
            }, "the loop to exit", TimeSpan.FromSeconds(30));
            await run;
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAny(run);
        }
    }

    private async Task<string> RunInstanceAsync(DockerScope scope, string app, string name, string host, int instance = 1) =>
        await scope.RunAsync(scope.Spec(name) with
        {
            Labels = new Dictionary<string, string>(scope.Labels)
            {
                [ContainerNames.AppLabel] = app,
                [ContainerNames.NameLabel] = name,
                [ContainerNames.InstanceLabel] = instance.ToString(System.Globalization.CultureInfo.InvariantCulture),
                [ContainerNames.HostLabel] = host,
            },
        });

    private async Task<bool> RunningAsync(string id) => (await _docker.Client.InspectContainerAsync(id))!.Running;
}
