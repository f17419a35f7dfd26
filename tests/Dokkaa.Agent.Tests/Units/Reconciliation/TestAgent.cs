using Dokkaa.Agent.Membership;
using Dokkaa.Agent.Reconciliation;
using Dokkaa.Core.Cluster;
using Dokkaa.Testing.Docker;

namespace Dokkaa.Agent.Tests.Units.Reconciliation;

/// <summary>One host of a <see cref="TestAgents"/> cluster: the agent's real reconciler, instance operations and fence over its own fake Docker.</summary>
internal sealed class TestAgent
{
    private readonly TestAgents _cluster;

    public TestAgent(TestAgents cluster, string hostId, HostMembership membership, ClusterView view, FakeDockerClient docker, Reconciler reconciler, InstanceOperations operations, ExclusiveFence fence, RestartBackoff backoff)
    {
        _cluster = cluster;
        HostId = hostId;
        Membership = membership;
        View = view;
        Docker = docker;
        Reconciler = reconciler;
        Operations = operations;
        Fence = fence;
        Backoff = backoff;
    }

    public string HostId { get; }

    public HostMembership Membership { get; }

    public ClusterView View { get; }

    public FakeDockerClient Docker { get; }

    public Reconciler Reconciler { get; }

    public InstanceOperations Operations { get; }

    public ExclusiveFence Fence { get; }

    public RestartBackoff Backoff { get; }

    /// <summary>
    /// One reconcile pass on everything etcd holds now, then waits for the operations it handed out. Returns how long
    /// the reconciler would sleep.
    /// </summary>
    public async Task<TimeSpan> PassAsync()
    {
        await CatchUpAsync();
        var sleep = await Reconciler.PassAsync(CancellationToken.None);
        await Reconciler.Settled;
        await CatchUpAsync();
        return sleep;
    }

    /// <summary>The claim of an instance as this agent's view has it (after <see cref="PassAsync"/>: as etcd has it).</summary>
    public InstanceClaim? Claim(string app, string name, int instance) => View.Current.Claim(new InstanceId(app, name, instance));

    /// <summary>This host's container of an instance by its canonical name.</summary>
    public FakeContainer? Container(string app, string name, int instance) => Docker.Named(new InstanceId(app, name, instance).ContainerName);

    public Task CatchUpAsync() => View.WaitForRevisionAsync(_cluster.Etcd.Revision, CancellationToken.None);
}
