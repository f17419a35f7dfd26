using Dokkaa.Core.Cluster;
using Dokkaa.Core.Etcd;
using Dokkaa.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Dokkaa.Agent.Tests.Integration;

/// <summary>One status etcd refuses to store fails only itself: the statuses of the manifests after it stay fresh.</summary>
[Collection(AgentCollection.Name)]
public sealed class StatusIsolationTests : AgentTestBase, IClassFixture<EtcdFixture>
{
    private const string Refused = "aaa-refused";

    public StatusIsolationTests(EtcdFixture etcd, ITestOutputHelper output)
        : base(etcd, output, decorateEtcd: inner => new InterceptingEtcd(inner) { RefuseTxn = RefuseStatusOf })
    {
    }

    // etcd's answer to a request over its size limit, for every write of one manifest's status.
    private static EtcdException? RefuseStatusOf(TxnRequest request) =>
        request.Success.Any(op => op is TxnOp.Put put && put.Key.StartsWith(KeyLayout.StatusPrefix, StringComparison.Ordinal) && put.Key.EndsWith("/" + Refused, StringComparison.Ordinal))
            ? new EtcdException("etcdserver: request is too large", 3)
            : null;

    [Fact]
    public async Task A_status_etcd_refuses_does_not_keep_the_statuses_after_it_stale()
    {
        await Ops.SetManifestJsonAsync(App, Refused, WebManifest(1));
        await Ops.SetManifestJsonAsync(App, "zzz-after", WebManifest(1));

        var after = await WaitConvergedAsync("zzz-after");
        await Ops.ScaleAsync(App, "zzz-after", 2);
        var scaled = await WaitConvergedAsync("zzz-after");

        Assert.Equal(1, after.Running);
        Assert.Equal(2, scaled.Running);
        Assert.True(Agent.IsRunning, "the agent is still running");
        // The refused one never got a status from the agent (its instance runs all the same).
        var refused = (await Ops.GetStatusAsync(App, Refused)).Single();
        Assert.Equal(0, refused.ObservedRevision);
    }
}
