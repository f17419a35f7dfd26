using Dokkaa.Core.Operations;
using Dokkaa.Testing;

namespace Dokkaa.PowerShell.Tests.Integration;

/// <summary>The class's real etcd and the cluster object the cmdlets would resolve for it.</summary>
public sealed class CmdletEtcdFixture : EtcdFixture
{
    private DokkaaCluster? _cluster;

    public DokkaaCluster Cluster => _cluster ??= DokkaaCluster.Parse(Endpoint);

    public ClusterOperations Operations => Cluster.Operations;
}
