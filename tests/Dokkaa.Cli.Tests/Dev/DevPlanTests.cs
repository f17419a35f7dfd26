using Dokkaa.Dev;
using Xunit;

namespace Dokkaa.Cli.Tests.Dev;

/// <summary>The dev cluster's address plan, names, state file and iptables parsing: pure, no root needed.</summary>
public sealed class DevPlanTests
{
    private static DevPlan Plan(int hosts = 3, string name = "dev", string subnet = "10.213.0.0/24", string containers = "10.214.0.0/16", int members = 3) =>
        DevPlan.Create(name, hosts, subnet, containers, members, 2379, "2s");

    [Fact]
    public void Hosts_get_addresses_after_the_bridge_and_distinct_container_bridges()
    {
        var state = Plan().ToState("/x/dokkaa-agent");

        Assert.Equal("dk-dev-br", state.Bridge);
        Assert.Equal("10.213.0.1", state.BridgeAddress);
        Assert.Equal(new[] { "h1", "h2", "h3" }, state.Hosts.Select(h => h.Name));
        Assert.Equal(new[] { "10.213.0.11", "10.213.0.12", "10.213.0.13" }, state.Hosts.Select(h => h.Address));
        Assert.Equal(new[] { "dk-dev-h1", "dk-dev-h2", "dk-dev-h3" }, state.Hosts.Select(h => h.Namespace));
        Assert.Equal(new[] { "10.214.1.1/24", "10.214.2.1/24", "10.214.3.1/24" }, state.Hosts.Select(h => h.ContainerBridgeAddress));
        Assert.All(state.Hosts, h => Assert.Equal("dk0", h.ContainerBridge));
        Assert.All(state.Hosts, h => Assert.True(h.Veth.Length <= 15, h.Veth));
        Assert.Equal("unix:///run/dokkaa-dev/dev/h2/docker.sock", state.Hosts[1].DockerSocket);
        Assert.Equal("/run/dokkaa-dev/dev/h2/docker.sock", state.Hosts[1].DockerSocketPath);
        Assert.StartsWith("/var/lib/dokkaa-dev/dev/", state.Hosts[1].DataRoot, StringComparison.Ordinal);
        Assert.Equal("/dokkaa-dev-h2", state.Hosts[1].CgroupParent);
        Assert.Equal("2s", state.LeaseTtl);
    }

    [Fact]
    public void Etcd_members_take_consecutive_client_and_peer_ports_on_the_bridge()
    {
        var state = Plan().ToState("/x/dokkaa-agent");

        Assert.Equal(new[] { "http://10.213.0.1:2379", "http://10.213.0.1:2381", "http://10.213.0.1:2383" }, state.Etcd.Endpoints);
        Assert.Equal(new[] { "etcd1", "etcd2", "etcd3" }, state.Etcd.Members.Select(m => m.Name));
        Assert.Equal("etcd1=http://10.213.0.1:2380,etcd2=http://10.213.0.1:2382,etcd3=http://10.213.0.1:2384", state.Etcd.InitialCluster);
        Assert.Equal("dokkaa-dev-dev", state.Etcd.Token);
    }

    [Fact]
    public void The_longest_names_still_fit_interface_names()
    {
        var state = Plan(hosts: DevPlan.MaxHosts, name: "abcdef", subnet: "10.213.0.0/24", containers: "10.100.0.0/16").ToState("/a");

        Assert.All(state.Hosts, h => Assert.True(h.Veth.Length <= 15, h.Veth));
        Assert.True(state.Bridge.Length <= 15);
        Assert.Equal("10.213.0.60", state.Hosts[^1].Address);
    }

    [Theory]
    [InlineData("Dev", "--name")]
    [InlineData("toolong", "--name")]
    [InlineData("1abc", "--name")]
    public void Bad_names_are_refused(string name, string option)
    {
        var e = Assert.Throws<DevException>(() => Plan(name: name));
        Assert.StartsWith(option, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_layouts_are_refused_with_the_option_named()
    {
        Assert.StartsWith("--hosts", Assert.Throws<DevException>(() => Plan(hosts: 0)).Message, StringComparison.Ordinal);
        Assert.StartsWith("--subnet", Assert.Throws<DevException>(() => Plan(hosts: 3, subnet: "10.213.0.0/29")).Message, StringComparison.Ordinal);
        Assert.StartsWith("--subnet", Assert.Throws<DevException>(() => Plan(subnet: "10.213.0.5/24")).Message, StringComparison.Ordinal);
        Assert.StartsWith("--subnet", Assert.Throws<DevException>(() => Plan(subnet: "nonsense")).Message, StringComparison.Ordinal);
        Assert.StartsWith("--container-subnet", Assert.Throws<DevException>(() => Plan(containers: "10.214.0.0/24")).Message, StringComparison.Ordinal);
        Assert.StartsWith("--container-subnet", Assert.Throws<DevException>(() => Plan(hosts: 4, containers: "10.214.0.0/22")).Message, StringComparison.Ordinal);
        Assert.Contains("overlap", Assert.Throws<DevException>(() => Plan(subnet: "10.214.0.0/24")).Message, StringComparison.Ordinal);
        Assert.StartsWith("--etcd-members", Assert.Throws<DevException>(() => Plan(members: 2)).Message, StringComparison.Ordinal);
        Assert.StartsWith("--lease-ttl", Assert.Throws<DevException>(() => DevPlan.Create("dev", 3, "10.213.0.0/24", "10.214.0.0/16", 3, 2379, "500ms")).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("10.213.0.0/24", "10.213.0.0/16", true)]
    [InlineData("10.213.0.0/24", "10.213.1.0/24", false)]
    [InlineData("10.213.0.0/24", "10.213.0.255/32", true)]
    [InlineData("192.0.2.0/24", "0.0.0.0/0", true)]
    public void Networks_overlap_when_their_ranges_intersect(string a, string b, bool overlap)
    {
        Assert.True(Ipv4Network.TryParseLoose(a, out var x));
        Assert.True(Ipv4Network.TryParseLoose(b, out var y));
        Assert.Equal(overlap, x.Overlaps(y));
        Assert.Equal(overlap, y.Overlaps(x));
    }

    [Fact]
    public void State_file_round_trips_through_json()
    {
        var state = Plan().ToState("/x/dokkaa-agent");
        state.Hosts[0].DockerPid = 123;
        state.Hosts[0].AgentPid = 456;
        state.Etcd.Members[2].Pid = 789;

        var json = state.ToJson();
        var back = DevClusterState.FromJson(json);

        Assert.Equal(json, back.ToJson());
        Assert.Contains("\"dockerSocket\": \"unix:///run/dokkaa-dev/dev/h1/docker.sock\"", json, StringComparison.Ordinal);
        Assert.Contains("\"agentPid\": 456", json, StringComparison.Ordinal);
        Assert.DoesNotContain("dockerSocketPath", json, StringComparison.Ordinal);
        Assert.Equal(789, back.Member("etcd3").Pid);
        Assert.Equal(123, back.Host("h1").DockerPid);
        Assert.Contains("h4", Assert.Throws<DevException>(() => back.Host("h4")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_state_file_says_how_to_start_or_clean_up()
    {
        var e = Assert.Throws<DevException>(() => DevClusterState.Load("/nonexistent/dev.json"));
        Assert.Contains("dokkaa dev up --state /nonexistent/dev.json", e.Message, StringComparison.Ordinal);
        Assert.Contains("dokkaa dev down --force", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Iptables_rules_are_split_with_their_quoted_comment()
    {
        var tokens = NetworkSetup.SplitRule("-A FORWARD -i dk-dev-br ! -o dk-dev-br -m comment --comment \"dokkaa-dev:dev\" -j DROP");

        Assert.Equal(new[] { "-A", "FORWARD", "-i", "dk-dev-br", "!", "-o", "dk-dev-br", "-m", "comment", "--comment", "dokkaa-dev:dev", "-j", "DROP" }, tokens);
    }
}
