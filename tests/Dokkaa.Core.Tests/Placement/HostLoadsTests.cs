using Dokkaa.Core.Placement;
using Dokkaa.Core.Tests.Support;
using Dokkaa.Testing;
using Xunit;

namespace Dokkaa.Core.Tests.Placement;

public sealed class HostLoadsTests
{
    [Fact]
    public void A_host_carries_every_claim_on_it_whatever_the_manifest()
    {
        var b = new ClusterStateBuilder().Host("a").Host("b")
            .Manifest("shop", "web", TestManifests.Plain(scale: 3))
            .Claim("shop", "web", 1, "a")
            .Claim("shop", "web", 2, "a")
            .Claim("shop", "web", 3, "b")
            .Claim("shop", "gone", 1, "a")
            .Claim("shop", "web", 4, "dead");

        var loads = HostLoads.Of(b.State);

        Assert.Equal((3, 1, 0), (loads.InstancesOn("a"), loads.InstancesOn("b"), loads.InstancesOn("dead")));
    }
}
