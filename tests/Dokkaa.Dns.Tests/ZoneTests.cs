using System.Net;
using Dokkaa.Core.Cluster;
using Dokkaa.Core.Discovery;
using Dokkaa.Dns.Tests.Support;
using Dokkaa.Testing;
using Xunit;

namespace Dokkaa.Dns.Tests;

/// <summary>The names of the <c>.container</c> zone, answered without sockets.</summary>
public sealed class ZoneTests
{
    private static readonly ClusterState Example = Clusters.Example();

    private static TestMessage Query(string name, ushort type, DnsServerOptions? options = null, DnsTransport transport = DnsTransport.Udp, int? edns = null) =>
        Ask.Message(Example, name, type, options, transport, edns);

    private static void AssertNegative(TestMessage message, int rcode)
    {
        Assert.Equal(rcode, message.Rcode);
        Assert.True(message.Aa);
        Assert.Empty(message.Answers);
        var soa = Assert.Single(message.Authority);
        Assert.Equal("container.", soa.Name);
        Assert.Equal(TestQuery.Soa, soa.Type);
        Assert.EndsWith(" 5", soa.Data); // MINIMUM = TTL: how long the client may cache the negative answer
        Assert.Equal(5u, soa.Ttl);
    }

    [Fact]
    public void InstanceNameAnswersTheHostAddressOfARunningInstance()
    {
        var message = Query("1.web.service.container", TestQuery.A);
        Assert.Equal(0, message.Rcode);
        Assert.True(message.Aa);
        Assert.False(message.Ra); // no upstreams: recursion is not available
        var a = Assert.Single(message.Answers);
        Assert.Equal(new TestRecord("1.web.service.container.", TestQuery.A, 1, 5, "192.168.1.10"), a);
    }

    [Fact]
    public void NamesAreCaseInsensitiveAndTheAnswerKeepsTheQuestionsCase()
    {
        var message = Query("1.Web.SERVICE.Container", TestQuery.A);
        Assert.Equal("1.Web.SERVICE.Container.", Assert.Single(message.Answers).Name);
        Assert.Equal("192.168.1.10", message.Answers[0].Data);
    }

    [Fact]
    public void AaaaOnlyForIpv6AndAOnAnIpv6OnlyNameIsNodata()
    {
        Assert.Equal("fd00::10", Assert.Single(Query("1.db.service.container", TestQuery.Aaaa).Answers).Data);
        AssertNegative(Query("1.db.service.container", TestQuery.A), 0);
        AssertNegative(Query("1.web.service.container", TestQuery.Aaaa), 0);
    }

    [Fact]
    public void AnInstanceThatIsNotRunningExistsWithoutAnAddress()
    {
        AssertNegative(Query("3.web.service.container", TestQuery.A), 0);
    }

    [Theory]
    [InlineData("4.web.service.container")] // beyond the scale
    [InlineData("0.web.service.container")]
    [InlineData("01.web.service.container")] // instance numbers are not zero-padded
    [InlineData("1.nope.service.container")]
    [InlineData("web.nope.container")]
    [InlineData("x.1.web.service.container")]
    [InlineData("81.tcp.1.web.service.container")] // a port not published
    [InlineData("80.sctp.1.web.service.container")]
    [InlineData("_nope._tcp.service.container")]
    [InlineData("_http._udp.service.container")] // http is a tcp service
    [InlineData("nothing.container")]
    public void NamesThatDoNotExistAreNxdomainWithTheSoa(string name)
    {
        AssertNegative(Query(name, TestQuery.A), 3);
    }

    [Theory]
    [InlineData("service.container")] // an app: empty non-terminal
    [InlineData("tcp.1.web.service.container")]
    [InlineData("_tcp.service.container")]
    [InlineData("80.tcp.1.web.service.container")] // exists, but has SRV only
    public void NamesThatExistWithoutDataOfTheTypeAreNodata(string name)
    {
        AssertNegative(Query(name, TestQuery.A), 0);
    }

    [Fact]
    public void PortSrvGivesTheMappedPortAndTheTargetsAddress()
    {
        var message = Query("80.tcp.1.web.service.container", TestQuery.Srv);
        var srv = Assert.Single(message.Answers);
        Assert.Equal(new TestRecord("80.tcp.1.web.service.container.", TestQuery.Srv, 1, 5, "0 0 49169 1.web.service.container."), srv);
        var glue = Assert.Single(message.Additional);
        Assert.Equal(new TestRecord("1.web.service.container.", TestQuery.A, 1, 5, "192.168.1.10"), glue);
    }

    [Fact]
    public void PortSrvHonoursTheProtocol()
    {
        Assert.Equal("0 0 40002 1.db.service.container.", Assert.Single(Query("8125.udp.1.db.service.container", TestQuery.Srv).Answers).Data);
        AssertNegative(Query("8125.tcp.1.db.service.container", TestQuery.Srv), 3);
        // The glue of an IPv6-only target is its AAAA.
        Assert.Equal(TestQuery.Aaaa, Assert.Single(Query("8125.udp.1.db.service.container", TestQuery.Srv).Additional).Type);
    }

    [Fact]
    public void GroupNameAnswersEveryRunningInstanceOncePerAddress()
    {
        var web = Query("web.service.container", TestQuery.A);
        Assert.Equal(["192.168.1.10", "192.168.1.11"], web.Answers.Select(a => a.Data).Order().ToArray());
        Assert.All(web.Answers, a => Assert.Equal("web.service.container.", a.Name));

        // Two instances on one host: one address.
        Assert.Equal("10.0.0.1", Assert.Single(Query("nginx.dummy.container", TestQuery.A).Answers).Data);
    }

    [Fact]
    public void ServiceSrvListsEveryRunningInstanceProvidingIt()
    {
        var message = Query("_nginx._tcp.dummy.container", TestQuery.Srv);
        Assert.Equal(
            ["0 0 32768 1.nginx.dummy.container.", "0 0 32769 2.nginx.dummy.container."],
            message.Answers.Select(a => a.Data).Order().ToArray());
        Assert.Equal(
            ["1.nginx.dummy.container. 10.0.0.1", "2.nginx.dummy.container. 10.0.0.1"],
            message.Additional.Select(a => $"{a.Name} {a.Data}").Order().ToArray());

        Assert.Equal("0 0 40002 1.db.service.container.", Assert.Single(Query("_stats._udp.service.container", TestQuery.Srv).Answers).Data);
    }

    [Fact]
    public void ServiceSrvListsOnlyTheManifestThatOwnsTheServiceName()
    {
        // A later manifest of the app offers "nginx" too: its instance gets a name, but no SRV under the service.
        var state = new ClusterStateBuilder()
            .Manifest("dummy", "nginx", 1, ("nginx", 80, "tcp"))
            .Instance("dummy", "nginx", 1, "10.0.0.1", ports: ("80/tcp", 32768))
            .Manifest("dummy", "a-thief", 1, ("nginx", 80, "tcp"))
            .Instance("dummy", "a-thief", 1, "10.0.0.2", ports: ("80/tcp", 40000))
            .State;

        var message = Ask.Message(state, "_nginx._tcp.dummy.container", TestQuery.Srv);

        Assert.Equal(["0 0 32768 1.nginx.dummy.container."], message.Answers.Select(a => a.Data).ToArray());
        Assert.Equal("10.0.0.2", Assert.Single(Ask.Message(state, "1.a-thief.dummy.container", TestQuery.A).Answers).Data);
    }

    [Fact]
    public void ServiceSrvAgreesWithServiceResolver()
    {
        foreach (var (service, app, protocol) in new[] { ("http", "service", "tcp"), ("nginx", "dummy", "tcp"), ("postgres", "service", "tcp"), ("stats", "service", "udp") })
        {
            var expected = ServiceResolver.Resolve(Example, service, app)
                .Select(e => $"0 0 {e.Port} {e.Instance}.{e.Name}.{e.App}.container.")
                .Order()
                .ToArray();
            var actual = Query($"_{service}._{protocol}.{app}.container", TestQuery.Srv).Answers.Select(a => a.Data).Order().ToArray();
            Assert.Equal(expected, actual);
        }
    }

    [Fact]
    public void ApexHasSoaAndNsWithTheListenAddressesAsGlue()
    {
        var options = new DnsServerOptions { Listen = [new IPEndPoint(IPAddress.Parse("172.17.0.1"), 53), new IPEndPoint(IPAddress.Loopback, 53), new IPEndPoint(IPAddress.Any, 5353)] };
        var soa = Assert.Single(Query("container", TestQuery.Soa, options).Answers);
        Assert.Equal("ns.container. hostmaster.container. 42 3600 600 86400 5", soa.Data);

        var ns = Query("container", TestQuery.Ns, options);
        Assert.Equal("ns.container.", Assert.Single(ns.Answers).Data);
        Assert.Equal(["127.0.0.1", "172.17.0.1"], ns.Additional.Select(a => a.Data).Order().ToArray());
        Assert.Equal(2, Query("ns.container", TestQuery.A, options).Answers.Count);
    }

    [Fact]
    public void AnyReturnsEveryRecordOfTheNameOverTcpAndIsTruncatedOverUdp()
    {
        Assert.Equal([TestQuery.Soa, TestQuery.Ns], Query("container", TestQuery.Any, transport: DnsTransport.Tcp).Answers.Select(a => a.Type).ToArray());
        Assert.Equal([TestQuery.Aaaa], Query("1.db.service.container", TestQuery.Any, transport: DnsTransport.Tcp).Answers.Select(a => a.Type).ToArray());
        var udp = Query("1.db.service.container", TestQuery.Any);
        Assert.Equal((true, true, 0, 0), (udp.Tc, udp.Aa, udp.Answers.Count, udp.Rcode));
    }

    [Fact]
    public void OutsideTheZoneIsRefusedWithoutUpstreamsAndForwardedWithThem()
    {
        var refused = Query("example.com", TestQuery.A);
        Assert.Equal(5, refused.Rcode);
        Assert.False(refused.Aa);
        Assert.False(refused.Ra);
        Assert.Empty(refused.Answers);
        // A name that merely ends like the zone is outside it.
        Assert.Equal(5, Query("notcontainer", TestQuery.A).Rcode);

        var buffer = new byte[512];
        var forwarded = DnsResolverCore.Answer(TestQuery.Build("example.com", TestQuery.A), Example, Ask.Forwarding, buffer, DnsTransport.Udp);
        Assert.Equal(DnsAnswerAction.Forward, forwarded.Action);
    }

    [Fact]
    public void RecursionAvailableOnlyWhenForwardingIsConfigured()
    {
        Assert.False(Query("1.web.service.container", TestQuery.A).Ra);
        Assert.True(Query("1.web.service.container", TestQuery.A, Ask.Forwarding).Ra);
    }

    [Fact]
    public void TtlIsConfigurable()
    {
        var options = new DnsServerOptions { Ttl = TimeSpan.FromSeconds(30) };
        Assert.Equal(30u, Assert.Single(Query("1.web.service.container", TestQuery.A, options).Answers).Ttl);
        var negative = Query("nothing.container", TestQuery.A, options);
        Assert.Equal(30u, negative.Authority[0].Ttl);
        Assert.EndsWith(" 30", negative.Authority[0].Data);
    }

    [Fact]
    public void OtherZoneNamesWork()
    {
        var options = new DnsServerOptions { Zone = "Cluster.Internal." };
        Assert.Equal("192.168.1.10", Assert.Single(Query("1.web.service.cluster.internal", TestQuery.A, options).Answers).Data);
        Assert.Equal(5, Query("1.web.service.container", TestQuery.A, options).Rcode);
    }

    [Fact]
    public void AnswersRotateWithTheQueryId()
    {
        var firsts = Enumerable.Range(0, 4)
            .Select(id => Ask.Message(Example, TestQuery.Build("web.service.container", TestQuery.A, id: (ushort)id)).Answers[0].Data)
            .ToArray();
        Assert.Equal(["192.168.1.10", "192.168.1.11", "192.168.1.10", "192.168.1.11"], firsts);
    }

    [Fact]
    public void UdpAnswerThatDoesNotFitIsTruncatedAndTcpGetsItAll()
    {
        var many = Clusters.Many(100);
        // 100 A records of 16 bytes: more than 512, and more than 1232.
        var udp = Ask.Message(many, TestQuery.Build("big.app.container", TestQuery.A));
        Assert.True(udp.Tc);
        Assert.Empty(udp.Answers);
        Assert.Single(udp.Questions);

        var edns = Ask.Message(many, TestQuery.Build("big.app.container", TestQuery.A, ednsPayload: 4096));
        Assert.True(edns.Tc);
        Assert.Equal(1232, edns.Opt!.Class);

        var tcp = Ask.Message(many, TestQuery.Build("big.app.container", TestQuery.A), transport: DnsTransport.Tcp);
        Assert.False(tcp.Tc);
        Assert.Equal(100, tcp.Answers.Count);

        var srv = Ask.Message(many, TestQuery.Build("_http._tcp.app.container", TestQuery.Srv), transport: DnsTransport.Tcp);
        Assert.Equal(100, srv.Answers.Count);
        Assert.Equal(100, srv.Additional.Count);
    }

    [Fact]
    public void EdnsPayloadBetween512AndTheMaximumIsHonoured()
    {
        var many = Clusters.Many(40);
        // 40 A records: 12 + 21 + 640 + 11 = 684 bytes. Fits 1232 and 700, not 600; below 512 counts as 512.
        Assert.False(Ask.Message(many, TestQuery.Build("big.app.container", TestQuery.A, ednsPayload: 1232)).Tc);
        Assert.False(Ask.Message(many, TestQuery.Build("big.app.container", TestQuery.A, ednsPayload: 700)).Tc);
        Assert.True(Ask.Message(many, TestQuery.Build("big.app.container", TestQuery.A, ednsPayload: 600)).Tc);
        var tiny = Ask.Raw(many, TestQuery.Build("big.app.container", TestQuery.A, ednsPayload: 100));
        Assert.True(TestMessage.Parse(tiny).Tc);
        Assert.True(tiny.Length <= 512);
    }

    [Fact]
    public void AdditionalRecordsThatDoNotFitAreLeftOutWithoutTruncation()
    {
        // 10 SRV answers fit 512 bytes but not with their 10 glue records.
        var message = Ask.Message(Clusters.Many(10), TestQuery.Build("_http._tcp.app.container", TestQuery.Srv));
        Assert.False(message.Tc);
        Assert.Equal(10, message.Answers.Count);
        Assert.InRange(message.Additional.Count, 1, 9);
        Assert.True(Ask.Raw(Clusters.Many(10), TestQuery.Build("_http._tcp.app.container", TestQuery.Srv)).Length <= 512);
    }

    [Fact]
    public void OptIsEchoedOnlyWhenTheQueryHadOneAndCopiesTheDoBit()
    {
        Assert.Null(Query("1.web.service.container", TestQuery.A).Opt);
        var plain = Ask.Message(Example, TestQuery.Build("1.web.service.container", TestQuery.A, ednsPayload: 1232));
        Assert.Equal(0u, plain.Opt!.Ttl);
        var dnssec = Ask.Message(Example, TestQuery.Build("1.web.service.container", TestQuery.A, ednsPayload: 1232, dnssecOk: true));
        Assert.Equal(0x8000u, dnssec.Opt!.Ttl);
        // Negative answers and REFUSED carry it too.
        Assert.NotNull(Ask.Message(Example, TestQuery.Build("nothing.container", TestQuery.A, ednsPayload: 1232)).Opt);
        Assert.NotNull(Ask.Message(Example, TestQuery.Build("example.com", TestQuery.A, ednsPayload: 1232)).Opt);
    }

    [Fact]
    public void SoaSerialFollowsTheRevision()
    {
        var later = new ClusterStateBuilder().AtRevision(7_000_000_001).State;
        Assert.StartsWith("ns.container. hostmaster.container. 2705032705 ", Assert.Single(Ask.Message(later, "container", TestQuery.Soa).Answers).Data);
    }

    [Fact]
    public void ManifestsAndClaimsThatCannotBeNamesAreLeftOut()
    {
        var state = new ClusterStateBuilder()
            .Manifest("Bad_App", "web", 1)
            .Manifest("app", "web", 1, ("http", 80, "tcp"))
            .Instance("app", "web", 1, "not-an-address", ports: [("http", 1), ("80/tcp", 70000), ("x/tcp", 5)])
            .State;
        AssertNegative(Ask.Message(state, "web.bad_app.container", TestQuery.A), 3);
        AssertNegative(Ask.Message(state, "1.web.app.container", TestQuery.A), 0);
        AssertNegative(Ask.Message(state, "80.tcp.1.web.app.container", TestQuery.Srv), 0);
    }

    [Fact]
    public void ANewSnapshotIsAnsweredFromAtOnce()
    {
        var before = Clusters.Example();
        Assert.Equal("192.168.1.10", Assert.Single(Ask.Message(before, "1.web.service.container", TestQuery.A).Answers).Data);
        var moved = before with
        {
            Instances = before.Instances.SetItem(
                new InstanceId("service", "web", 1),
                before.Instances[new InstanceId("service", "web", 1)] with { Record = before.Instances[new InstanceId("service", "web", 1)].Record with { Address = "192.168.1.99" } }),
        };
        Assert.Equal("192.168.1.99", Assert.Single(Ask.Message(moved, "1.web.service.container", TestQuery.A).Answers).Data);
        // A change elsewhere (hosts, statuses) keeps the same answers.
        var heartbeat = moved with { Revision = moved.Revision + 1 };
        Assert.Equal("192.168.1.99", Assert.Single(Ask.Message(heartbeat, "1.web.service.container", TestQuery.A).Answers).Data);
    }
}
