using Dokkaa.Core.Cluster;
using Dokkaa.Core.Discovery;
using Dokkaa.Core.Manifests;
using Dokkaa.Core.Tests.Support;
using Dokkaa.Testing;
using Xunit;

namespace Dokkaa.Core.Tests.Discovery;

public sealed class ServiceResolverTests
{
    private static Dictionary<string, int> Published(string portKey, int hostPort) => new() { [portKey] = hostPort };

    [Theory]
    [InlineData("nginx", "nginx", "dummy")]
    [InlineData("nginx.shop", "nginx", "shop")]
    [InlineData("my-db.other-app", "my-db", "other-app")]
    public void ParseLink_reads_service_and_app(string link, string service, string app) =>
        Assert.Equal((service, app), ServiceResolver.ParseLink(link, "dummy"));

    [Fact]
    public void Resolves_running_instance_to_host_address_and_published_port()
    {
        var b = new ClusterStateBuilder().Manifest("dummy", "nginx", TestManifests.Web(scale: 1))
            .Claim("dummy", "nginx", 1, "a", ports: Published("80/tcp", 32768));

        var endpoint = Assert.Single(ServiceResolver.Resolve(b.State, "nginx"));

        Assert.Equal(
            new ServiceEndpoint("nginx", "dummy", "nginx", 1, "a", ClusterStateBuilder.AddressOf("a"), 32768, 80, "tcp"),
            endpoint);
        Assert.Equal(new InstanceId("dummy", "nginx", 1), endpoint.InstanceId);
    }

    [Fact]
    public void Only_running_claims_within_scale_with_the_port_published_count()
    {
        var b = new ClusterStateBuilder().Manifest("dummy", "nginx", TestManifests.Web(scale: 6))
            .Claim("dummy", "nginx", 1, "a", ports: Published("80/tcp", 1001))
            .Claim("dummy", "nginx", 2, "a", InstanceState.Starting, ports: Published("80/tcp", 1002))
            .Claim("dummy", "nginx", 3, "b", InstanceState.Failed, ports: Published("80/tcp", 1003))
            .Claim("dummy", "nginx", 4, "b", InstanceState.Stopping, ports: Published("80/tcp", 1004))
            .Claim("dummy", "nginx", 5, "b")
            .Claim("dummy", "nginx", 6, "b", ports: Published("81/tcp", 1006))
            .Claim("dummy", "nginx", 7, "b", ports: Published("80/tcp", 1007));

        Assert.Equal(new[] { 1001 }, ServiceResolver.Resolve(b.State, "nginx").Select(e => e.Port));
    }

    [Fact]
    public void Instances_still_running_an_older_manifest_keep_serving()
    {
        var b = new ClusterStateBuilder().Manifest("dummy", "nginx", TestManifests.Web(scale: 2))
            .Claim("dummy", "nginx", 1, "a", hash: "older", ports: Published("80/tcp", 1001))
            .Claim("dummy", "nginx", 2, "b", ports: Published("80/tcp", 1002));

        Assert.Equal(new[] { 1, 2 }, ServiceResolver.Resolve(b.State, "nginx").Select(e => e.Instance));
    }

    [Fact]
    public void Port_key_includes_the_protocol()
    {
        var dns = new Manifest { Image = "dokkaa/dns", Services = new Dictionary<string, ServicePort> { ["dns"] = new(53, "udp") } };
        var b = new ClusterStateBuilder().Manifest("infra", "dns", dns)
            .Claim("infra", "dns", 1, "a", ports: Published("53/udp", 5353))
            .Manifest("infra", "dns-tcp-only", dns)
            .Claim("infra", "dns-tcp-only", 1, "a", ports: Published("53/tcp", 5354));

        var endpoint = Assert.Single(ServiceResolver.Resolve(b.State, "dns"));
        Assert.Equal(("dns", 5353, 53, "udp"), (endpoint.Name, endpoint.Port, endpoint.ContainerPort, endpoint.Protocol));
    }

    [Fact]
    public void Filters_by_app_and_orders_by_app_name_and_instance()
    {
        var b = new ClusterStateBuilder()
            .Manifest("shop", "front", TestManifests.Web(scale: 2))
            .Manifest("dummy", "nginx", TestManifests.Web(scale: 1))
            .Claim("shop", "front", 2, "b", ports: Published("80/tcp", 2002))
            .Claim("shop", "front", 1, "a", ports: Published("80/tcp", 2001))
            .Claim("dummy", "nginx", 1, "a", ports: Published("80/tcp", 1001));

        Assert.Equal(new[] { 1001, 2001, 2002 }, ServiceResolver.Resolve(b.State, "nginx").Select(e => e.Port));
        Assert.Equal(new[] { 2001, 2002 }, ServiceResolver.Resolve(b.State, "nginx", "shop").Select(e => e.Port));
        Assert.Empty(ServiceResolver.Resolve(b.State, "nginx", "nope"));
    }

    [Fact]
    public void Service_nobody_provides_resolves_to_nothing()
    {
        var b = new ClusterStateBuilder().Manifest("dummy", "nginx", TestManifests.Web()).Claim("dummy", "nginx", 1, "a", ports: Published("80/tcp", 1001));

        Assert.Empty(ServiceResolver.Resolve(b.State, "db"));
    }

    [Fact]
    public void A_broken_edit_keeps_resolving_the_last_valid_manifest()
    {
        var b = new ClusterStateBuilder().Manifest("dummy", "nginx", TestManifests.Web())
            .Claim("dummy", "nginx", 1, "a", ports: Published("80/tcp", 1001))
            .Put(KeyLayout.Manifest("dummy", "nginx"), "{ broken");

        Assert.Single(ServiceResolver.Resolve(b.State, "nginx"));
    }

    [Fact]
    public void Claims_without_a_manifest_are_not_endpoints()
    {
        var b = new ClusterStateBuilder().Claim("dummy", "nginx", 1, "a", ports: Published("80/tcp", 1001));

        Assert.Empty(ServiceResolver.Resolve(b.State, "nginx"));
    }
    [Fact]
    public void A_later_manifest_offering_the_same_service_in_the_app_gets_no_connections()
    {
        // "thief" is created after "nginx" and offers the same service name, with an instance of its own.
        var b = new ClusterStateBuilder().Manifest("dummy", "nginx", TestManifests.Web())
            .Claim("dummy", "nginx", 1, "a", ports: Published("80/tcp", 1001))
            .Manifest("dummy", "thief", TestManifests.Web())
            .Claim("dummy", "thief", 1, "b", ports: Published("80/tcp", 2001));

        Assert.Equal(new[] { "nginx" }, ServiceResolver.Resolve(b.State, "nginx", "dummy").Select(e => e.Name));
        Assert.Equal(new[] { "nginx" }, ServiceResolver.Resolve(b.State, "nginx").Select(e => e.Name));
    }

    [Fact]
    public void The_first_created_manifest_keeps_the_service_whatever_its_name_or_later_edits()
    {
        // "a-thief" sorts before "nginx" but was created later; editing "nginx" keeps its create revision.
        var b = new ClusterStateBuilder().Manifest("dummy", "nginx", TestManifests.Web())
            .Manifest("dummy", "a-thief", TestManifests.Web())
            .Manifest("dummy", "nginx", TestManifests.Web(scale: 2));

        Assert.Equal(new ManifestId("dummy", "nginx"), ServiceOwners.Of(b.State).OwnerOf("dummy", "nginx"));
    }

    [Fact]
    public void When_the_owner_goes_the_next_oldest_manifest_serves_the_service()
    {
        var b = new ClusterStateBuilder().Manifest("dummy", "nginx", TestManifests.Web())
            .Manifest("dummy", "second", TestManifests.Web())
            .Claim("dummy", "second", 1, "b", ports: Published("80/tcp", 2001))
            .Delete(KeyLayout.Manifest("dummy", "nginx"));

        Assert.Equal(new[] { 2001 }, ServiceResolver.Resolve(b.State, "nginx", "dummy").Select(e => e.Port));
    }

    [Fact]
    public void The_same_service_name_in_another_app_is_another_service()
    {
        var b = new ClusterStateBuilder().Manifest("dummy", "nginx", TestManifests.Web()).Manifest("shop", "nginx", TestManifests.Web());
        var owners = ServiceOwners.Of(b.State);

        Assert.True(owners.Owns(new ManifestId("dummy", "nginx"), "nginx"));
        Assert.True(owners.Owns(new ManifestId("shop", "nginx"), "nginx"));
        Assert.Empty(owners.Conflicts(b.Entry("shop", "nginx")));
    }
}
