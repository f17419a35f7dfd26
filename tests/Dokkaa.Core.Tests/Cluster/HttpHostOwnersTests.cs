using Dokkaa.Core.Cluster;
using Dokkaa.Core.Manifests;
using Dokkaa.Core.Status;
using Dokkaa.Core.Tests.Support;
using Dokkaa.Testing;
using Xunit;

namespace Dokkaa.Core.Tests.Cluster;

/// <summary>Who serves an http.host: the manifest created first; the others are told in their status.</summary>
public sealed class HttpHostOwnersTests
{
    private readonly ClusterStateBuilder _b = new ClusterStateBuilder().Host("a").Host("b");

    private static Manifest Routed(string host, int scale = 1) => TestManifests.Web(scale) with { Http = new HttpRoute(host, 80) };

    private StatusRecord StatusOf(string app, string name) => StatusCalculator.Compute(_b.State, _b.Entry(app, name));

    [Fact]
    public void The_manifest_created_first_serves_the_host_and_a_later_one_gets_a_status_error()
    {
        // "zzz" is written first: creation order decides, not names.
        _b.Manifest("zzz", "web", Routed("shop.example"))
          .Manifest("aaa", "web", Routed("shop.example"));

        var owners = HttpHostOwners.Of(_b.State);

        Assert.Equal(new ManifestId("zzz", "web"), owners.OwnerOf("shop.example"));
        Assert.True(owners.Serves(_b.Entry("zzz", "web")));
        Assert.False(owners.Serves(_b.Entry("aaa", "web")));
        Assert.Empty(StatusOf("zzz", "web").Errors);
        Assert.Contains("http.host shop.example is served by zzz/web; this manifest is not routed", StatusOf("aaa", "web").Errors);
    }

    [Fact]
    public void Editing_the_owner_keeps_it_the_owner_and_deleting_it_hands_the_host_on()
    {
        _b.Manifest("shop", "old", Routed("shop.example"))
          .Manifest("shop", "new", Routed("shop.example"))
          // An edit changes the mod revision, not the create revision.
          .Manifest("shop", "old", Routed("shop.example", scale: 3));

        Assert.Equal(new ManifestId("shop", "old"), HttpHostOwners.Of(_b.State).OwnerOf("shop.example"));

        _b.Delete(KeyLayout.Manifest("shop", "old"));

        Assert.Equal(new ManifestId("shop", "new"), HttpHostOwners.Of(_b.State).OwnerOf("shop.example"));
        Assert.Empty(StatusOf("shop", "new").Errors);
    }

    [Fact]
    public void Different_hosts_and_manifests_without_http_do_not_conflict()
    {
        _b.Manifest("shop", "web", Routed("shop.example"))
          .Manifest("blog", "web", Routed("blog.example"))
          .Manifest("shop", "worker", TestManifests.Plain());

        var owners = HttpHostOwners.Of(_b.State);

        Assert.Equal(new ManifestId("blog", "web"), owners.OwnerOf("blog.example"));
        Assert.Null(owners.OwnerOf("other.example"));
        Assert.Null(owners.Conflict(_b.Entry("shop", "worker")));
        Assert.Empty(StatusOf("shop", "web").Errors);
        Assert.Empty(StatusOf("blog", "web").Errors);
    }

    [Fact]
    public void A_broken_edit_keeps_the_last_valid_host_in_the_rule()
    {
        _b.Manifest("shop", "web", Routed("shop.example"))
          .Manifest("evil", "web", Routed("shop.example"))
          .Put(KeyLayout.Manifest("shop", "web"), "{broken");

        Assert.Equal(new ManifestId("shop", "web"), HttpHostOwners.Of(_b.State).OwnerOf("shop.example"));
        Assert.Contains("http.host shop.example is served by shop/web; this manifest is not routed", StatusOf("evil", "web").Errors);
    }

    [Fact]
    public void Route_errors_hosts_report_reach_the_status_of_the_owner_once_per_message()
    {
        var refused = "nginx -t refused the configuration with this route";
        _b.Manifest("shop", "web", Routed("shop.example"))
          .Manifest("evil", "web", Routed("shop.example"))
          .HostWithHttp("a", routeErrors: new Dictionary<string, string> { ["shop/web"] = refused })
          .HostWithHttp("b", routeErrors: new Dictionary<string, string> { ["shop/web"] = refused })
          .HostWithHttp("c", httpError: "nginx not found at /usr/sbin/nginx")
          .HostWithHttp("d", routeErrors: new Dictionary<string, string> { ["other/web"] = "no instance answered" });

        var errors = StatusOf("shop", "web").Errors;

        Assert.Equal(
            new[] { "http on c: nginx does not run: nginx not found at /usr/sbin/nginx", $"http on a, b: {refused}" },
            errors);
        // The manifest that is not routed gets its conflict only: the hosts' routes are not its own.
        Assert.Equal(new[] { "http.host shop.example is served by shop/web; this manifest is not routed" }, StatusOf("evil", "web").Errors);
        // A manifest without http gets none of it.
        _b.Manifest("shop", "worker", TestManifests.Plain());
        Assert.Empty(StatusOf("shop", "worker").Errors);
    }
}
