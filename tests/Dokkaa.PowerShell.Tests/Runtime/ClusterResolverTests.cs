using Dokkaa.Core.EtcdAccess;
using Dokkaa.Core.Operations;
using Xunit;

namespace Dokkaa.PowerShell.Tests.Runtime;

public sealed class ClusterResolverTests
{
    [Fact]
    public void Parameter_then_session_then_environment_then_default()
    {
        var parameter = DokkaaCluster.Parse("http://10.0.0.1:2379");
        var session = DokkaaCluster.Create("http://10.0.0.2:2379", ClusterSource.Session, DateTimeOffset.UnixEpoch);

        Assert.Equal(ClusterSource.Parameter, ClusterResolver.Resolve(parameter, session, "http://10.0.0.3:2379").Source);
        Assert.Equal(["http://10.0.0.1:2379"], ClusterResolver.Resolve(parameter, session, "http://10.0.0.3:2379").Endpoints);
        Assert.Same(session, ClusterResolver.Resolve(null, session, "http://10.0.0.3:2379"));
        var environment = ClusterResolver.Resolve(null, null, "http://10.0.0.3:2379,http://10.0.0.4:2379");
        Assert.Equal(ClusterSource.Environment, environment.Source);
        Assert.Equal(["http://10.0.0.3:2379", "http://10.0.0.4:2379"], environment.Endpoints);
        var fallback = ClusterResolver.Resolve(null, null, "  ");
        Assert.Equal(ClusterSource.Default, fallback.Source);
        Assert.Equal(["http://127.0.0.1:2379"], fallback.Endpoints);
    }

    [Fact]
    public void A_session_cluster_passed_as_parameter_is_labelled_as_the_parameter()
    {
        var session = DokkaaCluster.Create("http://10.0.0.2:2379", ClusterSource.Session, DateTimeOffset.UnixEpoch);
        var resolved = ClusterResolver.Resolve(session, null, null);
        Assert.Equal(ClusterSource.Parameter, resolved.Source);
        Assert.Equal(DateTimeOffset.UnixEpoch, resolved.ConnectedAt);
    }

    [Fact]
    public void Endpoint_lists_are_parsed_like_the_CLI_does()
    {
        var cluster = DokkaaCluster.Parse("10.0.0.1:2379, http://10.0.0.2:2379");
        Assert.Equal(["http://10.0.0.1:2379", "http://10.0.0.2:2379"], cluster.Endpoints);
        Assert.Equal("http://10.0.0.1:2379,http://10.0.0.2:2379", cluster.ToString());
        Assert.Equal("-Cluster", Assert.Throws<EtcdSettingsException>(() => DokkaaCluster.Parse(" , ")).Setting);
        Assert.Equal(EtcdSettingsProblem.EndpointInvalid, Assert.Throws<EtcdSettingsException>(() => DokkaaCluster.Parse("ftp://10.0.0.1:2379")).Problem);
    }

    [Fact]
    public void Clusters_with_the_same_endpoints_share_one_client()
    {
        var a = DokkaaCluster.Parse("http://10.9.9.9:2379");
        var b = DokkaaCluster.Create("10.9.9.9:2379", ClusterSource.Environment);
        Assert.Same(a.Operations, b.Operations);
        Assert.NotSame(a.Operations, a.CompletionOperations);
        Assert.Same(a.CompletionOperations, b.CompletionOperations);
    }

    [Fact]
    public void Each_session_has_its_own_connection()
    {
        object one = new(), two = new();
        var cluster = DokkaaCluster.Create("http://10.0.0.5:2379", ClusterSource.Session);
        SessionConnections.Set(one, cluster);
        Assert.Same(cluster, SessionConnections.Get(one));
        Assert.Null(SessionConnections.Get(two));
        Assert.Same(cluster, SessionConnections.Remove(one));
        Assert.Null(SessionConnections.Get(one));
        Assert.Null(SessionConnections.Remove(one));
    }
}

public sealed class ErrorIdsTests
{
    [Theory]
    [InlineData(DokkaaErrorKind.ManifestInvalid, "DokkaaManifestInvalid", "InvalidData")]
    [InlineData(DokkaaErrorKind.ManifestNotFound, "DokkaaManifestNotFound", "ObjectNotFound")]
    [InlineData(DokkaaErrorKind.NameInvalid, "DokkaaNameInvalid", "InvalidArgument")]
    [InlineData(DokkaaErrorKind.ClusterUnreachable, "DokkaaClusterUnreachable", "ConnectionError")]
    [InlineData(DokkaaErrorKind.Conflict, "DokkaaConflict", "ResourceBusy")]
    [InlineData(DokkaaErrorKind.Timeout, "DokkaaTimeout", "OperationTimeout")]
    [InlineData(DokkaaErrorKind.HostNotFound, "DokkaaHostNotFound", "ObjectNotFound")]
    public void Each_kind_has_its_id_and_category(DokkaaErrorKind kind, string id, string category)
    {
        Assert.Equal(id, ErrorIds.For(kind));
        Assert.Equal(id, new DokkaaException(kind, "x").ErrorId);
        Assert.Equal(category, ErrorIds.CategoryOf(kind));
        Assert.Equal(category, ErrorIds.All[id]);
    }

    [Fact]
    public void Every_kind_is_mapped_to_a_specific_category()
    {
        foreach (var kind in Enum.GetValues<DokkaaErrorKind>())
            Assert.NotEqual("NotSpecified", ErrorIds.CategoryOf(kind));
    }
}

public sealed class WaitProgressTests
{
    private static ManifestStatusInfo Status(int desired, int running, int pending = 0, int outdated = 0, long observed = 5, long revision = 5) =>
        new("dummy", "nginx", desired, running, pending, outdated, Array.Empty<string>(), observed, revision);

    [Fact]
    public void Status_line_and_percentage()
    {
        Assert.Equal("Waiting for dummy/nginx", WaitProgress.Activity("dummy", "nginx"));
        Assert.Equal("1 of 3 running, 2 pending, 0 outdated", WaitProgress.Status(Status(3, 1, 2)));
        Assert.Equal(33, WaitProgress.Percent(Status(3, 1, 2)));
        Assert.Equal(100, WaitProgress.Percent(Status(3, 3)));
        Assert.Equal(99, WaitProgress.Percent(Status(3, 3, observed: 4)));
        Assert.EndsWith("not seen the latest manifest yet", WaitProgress.Status(Status(3, 3, observed: 4)), StringComparison.Ordinal);
        Assert.Equal(100, WaitProgress.Percent(Status(0, 0)));
    }
}

public sealed class ServiceNameTests
{
    [Theory]
    [InlineData("nginx", null, "nginx", null)]
    [InlineData("nginx.dummy", null, "nginx", "dummy")]
    [InlineData("nginx.dummy", "other", "nginx.dummy", "other")]
    [InlineData("nginx", "dummy", "nginx", "dummy")]
    [InlineData("nginx.", null, "nginx.", null)]
    public void Link_syntax(string input, string? app, string service, string? expectedApp) =>
        Assert.Equal((service, expectedApp), ServiceName.Parse(input, app));
}
