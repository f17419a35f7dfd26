using Dokkaa.Agent.Membership;
using Dokkaa.Agent.Reconciliation;
using Dokkaa.Core.Cluster;
using Dokkaa.Testing.Docker;
using Dokkaa.Testing.Etcd;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Dokkaa.Agent.Tests.Units.Reconciliation;

/// <summary>
/// Agents of several hosts over one in-memory etcd and one manual clock, each with its own fake Docker: the real
/// Reconciler, InstanceOperations, ExclusiveFence, ClaimStore and HostMembership, driven pass by pass. No ambassador
/// and no fence process (an exclusive instance counts as guarded).
/// </summary>
internal sealed class TestAgents : IAsyncDisposable
{
    public const string Image = "shop/web:1";
    public static readonly TimeSpan Ttl = TimeSpan.FromSeconds(10);

    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _loops = new();

    public TestAgents(ReconcilerOptions? options = null)
    {
        Options = options ?? new ReconcilerOptions
        {
            HostIp = "127.0.0.1",
            ClaimStagger = TimeSpan.FromSeconds(1),
            ResyncInterval = TimeSpan.FromSeconds(5),
            // A replacement is judged on its first inspection: no stability window to wait out on a manual clock.
            UpdateStability = TimeSpan.Zero,
        };
        Etcd = new InMemoryEtcd(new InMemoryEtcdOptions { TimeProvider = Clock });
    }

    // Early enough that the manual clock's ticks, in nanoseconds, fit a long (the fence's monotonic clock).
    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(100, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public InMemoryEtcd Etcd { get; }

    public ReconcilerOptions Options { get; }

    public async Task<TestAgent> StartAsync(string hostId)
    {
        var membership = new HostMembership(Etcd, hostId, Ttl, () => new HostRecord { Address = Options.HostIp, AgentVersion = "test" }, NullLogger.Instance, Clock);
        await membership.RegisterAsync(CancellationToken.None);
        var view = new ClusterView(Etcd);
        await view.LoadAsync(CancellationToken.None);
        _loops.Add(Task.Run(() => view.FollowAsync(_stop.Token)));
        var docker = new FakeDockerClient(Clock).WithImage(Image);
        var backoff = new RestartBackoff();
        var claims = new ClaimStore(Etcd);
        var fence = new ExclusiveFence(membership, view, docker, NullLogger.Instance, Clock);
        var operations = new InstanceOperations(Options, docker, claims, membership, null, backoff, NullLogger.Instance, Clock, fence: fence);
        var reconciler = new Reconciler(Options, view, membership, docker, claims, operations, backoff, fence, NullLogger.Instance, Clock);
        var agent = new TestAgent(this, hostId, membership, view, docker, reconciler, operations, fence, backoff);
        await agent.CatchUpAsync();
        return agent;
    }

    /// <summary>A host whose agent has run a claim pass and then a start pass on <paramref name="manifest"/>: every instance runs, unless the test made it fail.</summary>
    public async Task<TestAgent> StartRunningAsync(string hostId, string app, string name, string manifest)
    {
        var agent = await StartAsync(hostId);
        await PutManifestAsync(app, name, manifest);
        await agent.PassAsync();
        await agent.PassAsync();
        return agent;
    }

    /// <summary>Runs a loop of the agent's (the fence's timer, the lease keepalive) until the cluster is disposed.</summary>
    public void Run(Func<CancellationToken, Task> loop) => _loops.Add(Task.Run(() => loop(_stop.Token)));

    public Task<long> PutManifestAsync(string app, string name, string json) => Etcd.PutAsync(KeyLayout.Manifest(app, name), json);

    public Task<long> DeleteManifestAsync(string app, string name) => Etcd.DeleteAsync(KeyLayout.Manifest(app, name));

    public static string Manifest(int scale, bool exclusive = false, string? env = null) =>
        $$"""{"image":"{{Image}}","scale":{{scale}},"services":{"web":80},"exclusive":{{(exclusive ? "true" : "false")}}{{(env is null ? "" : $$""","env":{"MODE":"{{env}}"}""")}}}""";

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        foreach (var loop in _loops)
        {
            try
            {
                await loop;
            }
            catch (OperationCanceledException)
            {
            }
        }

        Etcd.Dispose();
        _stop.Dispose();
    }
}
