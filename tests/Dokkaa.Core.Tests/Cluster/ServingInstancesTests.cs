using Dokkaa.Core.Cluster;
using Dokkaa.Core.Discovery;
using Dokkaa.Core.Status;
using Dokkaa.Core.Tests.Support;
using Dokkaa.Testing;
using Xunit;

namespace Dokkaa.Core.Tests.Cluster;

/// <summary>The one rule for which instances serve, and the callers that must agree with it.</summary>
public sealed class ServingInstancesTests
{
    private static readonly ManifestId Web = new("dummy", "nginx");

    private readonly ClusterStateBuilder _b = new ClusterStateBuilder().Host("a").Host("b");

    private IReadOnlyList<int> Serving() =>
        ServingInstances.Of(_b.State, Web, _b.Entry(Web.App, Web.Name).Effective!).Select(c => c.Id.Instance).ToList();

    [Fact]
    public void Running_claims_within_the_scale_serve_whatever_their_manifest_version()
    {
        _b.Manifest("dummy", "nginx", TestManifests.Web(scale: 3))
          .Claim("dummy", "nginx", 1, "a")
          .Claim("dummy", "nginx", 2, "b", hash: "older")
          .Claim("dummy", "nginx", 3, "a");

        Assert.Equal(new[] { 1, 2, 3 }, Serving());
    }

    [Theory]
    [InlineData(InstanceState.Starting)]
    [InlineData(InstanceState.Failed)]
    public void Claims_that_do_not_say_running_do_not_serve(InstanceState state)
    {
        _b.Manifest("dummy", "nginx", TestManifests.Web(scale: 2))
          .Claim("dummy", "nginx", 1, "a")
          .Claim("dummy", "nginx", 2, "b", state);

        Assert.Equal(new[] { 1 }, Serving());
    }

    [Fact]
    public void Instances_above_the_scale_do_not_serve_while_they_are_stopped()
    {
        _b.Manifest("dummy", "nginx", TestManifests.Web(scale: 1))
          .Claim("dummy", "nginx", 1, "a")
          .Claim("dummy", "nginx", 2, "b");

        Assert.Equal(new[] { 1 }, Serving());
    }

    [Fact]
    public void Resolution_and_status_count_exactly_the_serving_instances()
    {
        var ports = new Dictionary<string, int> { ["80/tcp"] = 32768 };
        _b.Manifest("dummy", "nginx", TestManifests.Web(scale: 3))
          .Claim("dummy", "nginx", 1, "a", ports: ports)
          .Claim("dummy", "nginx", 2, "b", InstanceState.Starting, ports: ports)
          .Claim("dummy", "nginx", 3, "b", hash: "older", ports: ports)
          .Claim("dummy", "nginx", 4, "a", ports: ports);

        var resolved = ServiceResolver.Resolve(_b.State, "nginx", "dummy").Select(e => e.Instance).ToList();
        var status = StatusCalculator.Compute(_b.State, _b.Entry(Web.App, Web.Name));

        Assert.Equal(new[] { 1, 3 }, Serving());
        Assert.Equal(Serving(), resolved);
        Assert.Equal(Serving().Count, status.Running + status.Outdated);
    }
}
