using Dokkaa.Agent.Containers;
using Dokkaa.Core.Cluster;
using Dokkaa.Core.Manifests;
using Xunit;

namespace Dokkaa.Agent.Tests.Units;

public sealed class ContainerSpecFactoryTests
{
    private static readonly InstanceId Web2 = new("dummy", "web", 2);

    private static readonly Manifest Manifest = new()
    {
        Image = "dockerfile/nginx",
        Scale = 3,
        Command = new[] { "/bin/sh", "-c", "nginx" },
        Env = new Dictionary<string, string> { ["GREETING"] = "hello", ["DOKKAA_APP"] = "spoofed" },
        Services = new Dictionary<string, ServicePort>
        {
            ["web"] = new(80),
            ["status"] = new(80),
            ["dns"] = new(53, "udp"),
        },
    };

    private static readonly LinkBinding[] Links =
    {
        new("nginx", "172.17.0.1", 41000),
        new("nginx.shop", "172.17.0.1", 41001),
        new("my-db", "172.17.0.1", 41002),
    };

    [Theory]
    [InlineData("nginx", "SERVICE_NGINX")]
    [InlineData("nginx.shop", "SERVICE_NGINX_SHOP")]
    [InlineData("my-db", "SERVICE_MY_DB")]
    [InlineData("my-db.other-app", "SERVICE_MY_DB_OTHER_APP")]
    public void Link_env_prefix_is_upper_case_with_underscores(string link, string prefix) =>
        Assert.Equal(prefix, new LinkBinding(link, "10.0.0.1", 1).EnvPrefix);

    [Fact]
    public void Links_become_addr_and_port_variables_pointing_at_the_ambassador()
    {
        var env = ContainerSpecFactory.Create(Web2, Manifest, "hash", "host-a", Links, ContainerLimits.None).Env;

        Assert.Equal("172.17.0.1", env["SERVICE_NGINX_ADDR"]);
        Assert.Equal("41000", env["SERVICE_NGINX_PORT"]);
        Assert.Equal("172.17.0.1", env["SERVICE_NGINX_SHOP_ADDR"]);
        Assert.Equal("41001", env["SERVICE_NGINX_SHOP_PORT"]);
        Assert.Equal("41002", env["SERVICE_MY_DB_PORT"]);
    }

    [Fact]
    public void Instance_identity_is_in_the_environment_and_cannot_be_overridden_by_the_manifest()
    {
        var env = ContainerSpecFactory.Create(Web2, Manifest, "hash", "host-a", Links, ContainerLimits.None).Env;

        Assert.Equal("dummy", env["DOKKAA_APP"]);
        Assert.Equal("web", env["DOKKAA_NAME"]);
        Assert.Equal("2", env["DOKKAA_INSTANCE"]);
        Assert.Equal("hello", env["GREETING"]);
        Assert.Equal(1 + 3 + 6, env.Count); // GREETING, the three DOKKAA_*, two per link
    }

    [Fact]
    public void Spec_carries_name_image_command_and_ports()
    {
        var spec = ContainerSpecFactory.Create(Web2, Manifest, "hash", "host-a", Array.Empty<LinkBinding>(), ContainerLimits.None);

        Assert.Equal("dummy---web---2", spec.Name);
        Assert.Equal("dockerfile/nginx", spec.Image);
        Assert.Equal(Manifest.Command, spec.Command);
        Assert.Equal(new[] { "53/udp", "80/tcp" }, spec.ExposedPorts.Order(StringComparer.Ordinal));
        Assert.True(spec.PublishAllPorts);
    }

    [Fact]
    public void Name_override_is_used_for_rolling_replacements()
    {
        var spec = ContainerSpecFactory.Create(Web2, Manifest, "hash", "host-a", Array.Empty<LinkBinding>(), ContainerLimits.None, nameOverride: "dummy---web---2-next");

        Assert.Equal("dummy---web---2-next", spec.Name);
        Assert.Equal(Web2, ContainerSpecFactory.InstanceOf(spec.Labels));
    }

    [Fact]
    public void Labels_identify_instance_manifest_hash_and_host()
    {
        var labels = ContainerSpecFactory.Create(Web2, Manifest, "abc123", "host-a", Links, ContainerLimits.None).Labels;

        Assert.Equal("dummy", labels[ContainerNames.AppLabel]);
        Assert.Equal("web", labels[ContainerNames.NameLabel]);
        Assert.Equal("2", labels[ContainerNames.InstanceLabel]);
        Assert.Equal("abc123", labels[ContainerNames.ManifestHashLabel]);
        Assert.Equal("host-a", labels[ContainerNames.HostLabel]);
    }

    [Fact]
    public void The_ambassador_ports_of_the_links_are_in_a_label_and_read_back()
    {
        var spec = ContainerSpecFactory.Create(Web2, Manifest, "abc123", "host-a", Links, ContainerLimits.None);

        Assert.Equal("41000,41001,41002", spec.Labels[ContainerNames.AmbassadorPortsLabel]);
        Assert.Equal(new[] { 41000, 41001, 41002 }, ContainerSpecFactory.AmbassadorPortsOf(spec.Labels));
        Assert.Empty(ContainerSpecFactory.AmbassadorPortsOf(ContainerSpecFactory.Create(Web2, Manifest, "abc123", "host-a", [], ContainerLimits.None).Labels)!);
        Assert.Null(ContainerSpecFactory.AmbassadorPortsOf(ContainerSpecFactory.LabelsFor(Web2, "abc123", "host-a")));
    }

    [Fact]
    public void Port_key_is_port_slash_protocol()
    {
        Assert.Equal("80/tcp", ContainerSpecFactory.PortKey(new ServicePort(80)));
        Assert.Equal("53/udp", ContainerSpecFactory.PortKey(new ServicePort(53, "udp")));
    }

    [Fact]
    public void InstanceOf_reads_back_the_labels()
    {
        var id = new InstanceId("shop", "front", 17);

        Assert.Equal(id, ContainerSpecFactory.InstanceOf(ContainerSpecFactory.LabelsFor(id, "h", "host-a")));
    }

    [Theory]
    [InlineData(null, "web", "1")]
    [InlineData("dummy", null, "1")]
    [InlineData("dummy", "web", null)]
    [InlineData("dummy", "web", "0")]
    [InlineData("dummy", "web", "-1")]
    [InlineData("dummy", "web", "one")]
    [InlineData("dummy", "web", "")]
    [InlineData("dummy", "web", "99999999999")]
    public void InstanceOf_is_null_for_containers_that_are_not_dokkaas(string? app, string? name, string? instance)
    {
        var labels = new Dictionary<string, string> { ["com.example.other"] = "x" };
        if (app is not null)
            labels[ContainerNames.AppLabel] = app;
        if (name is not null)
            labels[ContainerNames.NameLabel] = name;
        if (instance is not null)
            labels[ContainerNames.InstanceLabel] = instance;

        Assert.Null(ContainerSpecFactory.InstanceOf(labels));
    }

    [Fact]
    public void A_manifest_that_reserves_nothing_gets_the_host_defaults()
    {
        var defaults = new ContainerLimits(512L * 1024 * 1024, 1500, 256);

        var spec = ContainerSpecFactory.Create(Web2, Manifest, "hash", "host-a", Links, defaults);

        Assert.Equal(512L * 1024 * 1024, spec.MemoryBytes);
        Assert.Equal(1_500_000_000L, spec.NanoCpus);
        Assert.Equal(256, spec.PidsLimit);
    }

    [Fact]
    public void What_a_manifest_reserves_wins_over_the_defaults_and_the_pid_limit_stays()
    {
        var reserving = Manifest with { Resources = new ResourceRequest(250, 64L * 1024 * 1024) };

        var spec = ContainerSpecFactory.Create(Web2, reserving, "hash", "host-a", Links, ContainerLimits.Default);

        Assert.Equal(64L * 1024 * 1024, spec.MemoryBytes);
        Assert.Equal(250_000_000L, spec.NanoCpus);
        Assert.Equal(ContainerLimits.Default.Pids, spec.PidsLimit);
    }
}
