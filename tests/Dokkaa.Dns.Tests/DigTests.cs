using Dokkaa.Dns.Tests.Support;
using Dokkaa.Testing;
using Xunit;

namespace Dokkaa.Dns.Tests;

/// <summary>
/// The server on a loopback port, queried by the real clients dig and kdig as processes: DaprDockr's two
/// README examples exactly, the other names of the zone, negative answers, truncation and TCP, EDNS0 and
/// forwarding to an upstream the test runs itself.
/// </summary>
public sealed class DigTests
{
    [Fact]
    public async Task DaprDockrReadmeAExample()
    {
        // $ dig @localhost 1.web.service.container
        await using var dns = RunningServer.Start(Clusters.Example());
        var output = await DigTool.DigAsync(dns.EndPoint, "1.web.service.container");

        Assert.Equal("NOERROR", output.Status);
        Assert.Equal(["qr", "aa", "rd"], output.Flags); // DaprDockr's "qr rd", and authoritative now
        Assert.Contains(";; WARNING: recursion requested but not available", output.Text);
        Assert.Matches(@";1\.web\.service\.container\.\s+IN\s+A\n", output.Text);
        Assert.Equal(["1.web.service.container. 5 IN A 192.168.1.10"], output.Answer);
        Assert.Empty(output.Authority);
        Assert.Contains("; EDNS: version: 0, flags:; udp: 1232", output.Text);

        // Without EDNS (the dig of the README, 9.9, did not send it) the counts are the README's exactly.
        var classic = await DigTool.DigAsync(dns.EndPoint, "+noedns", "1.web.service.container");
        Assert.Contains(";; flags: qr aa rd; QUERY: 1, ANSWER: 1, AUTHORITY: 0, ADDITIONAL: 0", classic.Text);
        Assert.Equal(["1.web.service.container. 5 IN A 192.168.1.10"], classic.Answer);
    }

    [Fact]
    public async Task DaprDockrReadmeSrvExample()
    {
        // $ dig @localhost 80.tcp.1.web.service.container SRV
        await using var dns = RunningServer.Start(Clusters.Example());
        var output = await DigTool.DigAsync(dns.EndPoint, "80.tcp.1.web.service.container", "SRV");

        Assert.Equal("NOERROR", output.Status);
        Assert.Contains(";; WARNING: recursion requested but not available", output.Text);
        // DaprDockr printed the target as "1.web.service." (outside the zone) and no additional record.
        Assert.Equal(["80.tcp.1.web.service.container. 5 IN SRV 0 0 49169 1.web.service.container."], output.Answer);
        Assert.Equal(["1.web.service.container. 5 IN A 192.168.1.10"], output.Additional);
    }

    [Fact]
    public async Task GroupNameAnswersEveryInstance()
    {
        await using var dns = RunningServer.Start(Clusters.Example());
        var output = await DigTool.DigAsync(dns.EndPoint, "web.service.container", "A");
        Assert.Equal(
            ["web.service.container. 5 IN A 192.168.1.10", "web.service.container. 5 IN A 192.168.1.11"],
            output.Answer.Order().ToArray());
    }

    [Fact]
    public async Task ServiceSrvAnswersEveryProvidingInstanceWithTheirAddresses()
    {
        await using var dns = RunningServer.Start(Clusters.Example());
        var output = await DigTool.DigAsync(dns.EndPoint, "_nginx._tcp.dummy.container", "SRV");
        Assert.Equal(
            ["_nginx._tcp.dummy.container. 5 IN SRV 0 0 32768 1.nginx.dummy.container.", "_nginx._tcp.dummy.container. 5 IN SRV 0 0 32769 2.nginx.dummy.container."],
            output.Answer.Order().ToArray());
        Assert.Equal(
            ["1.nginx.dummy.container. 5 IN A 10.0.0.1", "2.nginx.dummy.container. 5 IN A 10.0.0.1"],
            output.Additional.Order().ToArray());
    }

    [Fact]
    public async Task AaaaForAnIpv6Host()
    {
        await using var dns = RunningServer.Start(Clusters.Example());
        var output = await DigTool.DigAsync(dns.EndPoint, "1.db.service.container", "AAAA");
        Assert.Equal(["1.db.service.container. 5 IN AAAA fd00::10"], output.Answer);
    }

    [Fact]
    public async Task UnknownNameIsNxdomainWithTheSoa()
    {
        await using var dns = RunningServer.Start(Clusters.Example());
        var output = await DigTool.DigAsync(dns.EndPoint, "9.web.service.container");
        Assert.Equal("NXDOMAIN", output.Status);
        Assert.Contains("aa", output.Flags);
        Assert.Empty(output.Answer);
        Assert.Equal(["container. 5 IN SOA ns.container. hostmaster.container. 42 3600 600 86400 5"], output.Authority);
    }

    [Fact]
    public async Task ExistingNameWithoutThatTypeIsNodataWithTheSoa()
    {
        await using var dns = RunningServer.Start(Clusters.Example());
        var output = await DigTool.DigAsync(dns.EndPoint, "1.db.service.container", "A");
        Assert.Equal("NOERROR", output.Status);
        Assert.Empty(output.Answer);
        Assert.Single(output.Authority);
    }

    [Fact]
    public async Task OutsideTheZoneWithoutUpstreamsIsRefused()
    {
        await using var dns = RunningServer.Start(Clusters.Example());
        var output = await DigTool.DigAsync(dns.EndPoint, "example.com");
        Assert.Equal("REFUSED", output.Status);
        Assert.DoesNotContain("ra", output.Flags);
        Assert.Empty(output.Answer);
        Assert.Equal(1, dns.Server.Counters.Refused);
    }

    [Fact]
    public async Task OutsideTheZoneIsForwardedToTheUpstream()
    {
        await using var upstream = StubUpstream.Start();
        await using var dns = RunningServer.Start(Clusters.Example(), [upstream.EndPoint]);
        var output = await DigTool.DigAsync(dns.EndPoint, "example.com");
        Assert.Equal("NOERROR", output.Status);
        Assert.Contains("ra", output.Flags);
        Assert.Equal([$"example.com. 60 IN A {StubUpstream.Address}"], output.Answer);
        Assert.Equal(1, upstream.UdpQueries);
        Assert.Equal(1, dns.Server.Counters.Forwarded);

        // The zone's own names are still answered locally, now with RA.
        var local = await DigTool.DigAsync(dns.EndPoint, "1.web.service.container");
        Assert.Equal(["qr", "aa", "rd", "ra"], local.Flags);
        Assert.Equal(1, upstream.UdpQueries);
    }

    [Fact]
    public async Task ForwardingTriesTheNextUpstreamWhenOneDoesNotAnswer()
    {
        await using var dead = StubUpstream.Start(silent: true);
        await using var live = StubUpstream.Start();
        // The timeout is per upstream and also bounds the live one's answer: 300 ms was too little for the
        // in-process stub when the test projects run side by side on 2 cores (an empty answer, SERVFAIL). Two
        // seconds stay well inside dig's own 5 s, so dig never asks twice.
        await using var dns = RunningServer.Start(Clusters.Example(), [dead.EndPoint, live.EndPoint], upstreamTimeout: TimeSpan.FromSeconds(2));
        var output = await DigTool.DigAsync(dns.EndPoint, "example.com");
        Assert.Equal([$"example.com. 60 IN A {StubUpstream.Address}"], output.Answer);
        Assert.Equal(1, dead.UdpQueries);
        Assert.Equal(1, live.UdpQueries);
    }

    [Fact]
    public async Task NoUpstreamAnsweringIsServfail()
    {
        await using var dead = StubUpstream.Start(silent: true);
        await using var dns = RunningServer.Start(Clusters.Example(), [dead.EndPoint], upstreamTimeout: TimeSpan.FromMilliseconds(200));
        var output = await DigTool.DigAsync(dns.EndPoint, "example.com");
        Assert.Equal("SERVFAIL", output.Status);
        Assert.Equal(1, dns.Server.Counters.ForwardFailures);
    }

    [Fact]
    public async Task ForwardingFallsBackToTcpWhenTheUpstreamTruncates()
    {
        await using var upstream = StubUpstream.Start(truncateUdp: true);
        await using var dns = RunningServer.Start(Clusters.Example(), [upstream.EndPoint]);
        var output = await DigTool.DigAsync(dns.EndPoint, "example.com");
        Assert.DoesNotContain("tc", output.Flags);
        Assert.Equal([$"example.com. 60 IN A {StubUpstream.Address}"], output.Answer);
        Assert.Equal(1, upstream.UdpQueries);
        Assert.Equal(1, upstream.TcpQueries);

        // A client over TCP is forwarded the same way.
        var tcp = await DigTool.DigAsync(dns.EndPoint, "+tcp", "example.org");
        Assert.Equal([$"example.org. 60 IN A {StubUpstream.Address}"], tcp.Answer);
    }

    [Fact]
    public async Task LargeAnswerIsTruncatedOverUdpAndCompleteOverTcp()
    {
        await using var dns = RunningServer.Start(Clusters.Many(100));

        var udp = await DigTool.DigAsync(dns.EndPoint, "+ignore", "big.app.container");
        Assert.Contains("tc", udp.Flags);
        Assert.Empty(udp.Answer);

        // dig's default: retry over TCP on TC.
        var retried = await DigTool.DigAsync(dns.EndPoint, "big.app.container");
        Assert.Contains(";; Truncated, retrying in TCP mode.", retried.Text);
        Assert.Equal(100, retried.Answer.Count);

        var tcp = await DigTool.DigAsync(dns.EndPoint, "+tcp", "big.app.container");
        Assert.DoesNotContain("tc", tcp.Flags);
        Assert.Equal(100, tcp.Answer.Count);
        Assert.Equal(100, tcp.Answer.Distinct().Count());

        var srv = await DigTool.DigAsync(dns.EndPoint, "+tcp", "_http._tcp.app.container", "SRV");
        Assert.Equal(100, srv.Answer.Count);
        Assert.Equal(100, srv.Additional.Count(l => l.Contains(" IN A ", StringComparison.Ordinal)));

        var counters = dns.Server.Counters;
        Assert.Equal(2, counters.Truncated);
        Assert.Equal(3, counters.TcpQueries);
    }

    [Fact]
    public async Task EdnsBufferSizeIsHonouredUpToTheServersMaximum()
    {
        await using var dns = RunningServer.Start(Clusters.Many(40));

        // 40 addresses make a 684-byte answer: too big for 512, fine for the 1232 the server allows.
        var big = await DigTool.DigAsync(dns.EndPoint, "+bufsize=4096", "+ignore", "big.app.container");
        Assert.DoesNotContain("tc", big.Flags);
        Assert.Equal(40, big.Answer.Count);
        Assert.Contains("; EDNS: version: 0, flags:; udp: 1232", big.Text);

        var small = await DigTool.DigAsync(dns.EndPoint, "+bufsize=600", "+ignore", "big.app.container");
        Assert.Contains("tc", small.Flags);

        var classic = await DigTool.DigAsync(dns.EndPoint, "+noedns", "+ignore", "big.app.container");
        Assert.Contains("tc", classic.Flags);
        Assert.DoesNotContain("EDNS:", classic.Text);
    }

    [Fact]
    public async Task KdigOverUdpAndTcp()
    {
        await using var dns = RunningServer.Start(Clusters.Example());

        var udp = await DigTool.KdigAsync(dns.EndPoint, "1.web.service.container", "A");
        Assert.Equal("NOERROR", udp.Status);
        Assert.Equal(["1.web.service.container. 5 IN A 192.168.1.10"], udp.Answer);

        var tcp = await DigTool.KdigAsync(dns.EndPoint, "+tcp", "80.tcp.1.web.service.container", "SRV");
        Assert.Equal(["80.tcp.1.web.service.container. 5 IN SRV 0 0 49169 1.web.service.container."], tcp.Answer);
        Assert.Equal(["1.web.service.container. 5 IN A 192.168.1.10"], tcp.Additional);
        Assert.Contains("TCP", tcp.Text);

        var nx = await DigTool.KdigAsync(dns.EndPoint, "+tcp", "nothing.container");
        Assert.Equal("NXDOMAIN", nx.Status);
        Assert.Single(nx.Authority);

        Assert.Equal(1, dns.Server.Counters.UdpQueries);
        Assert.Equal(2, dns.Server.Counters.TcpQueries);
    }

    [Fact]
    public async Task KdigWithEdnsAndALargeTcpAnswer()
    {
        await using var dns = RunningServer.Start(Clusters.Many(100));
        var edns = await DigTool.KdigAsync(dns.EndPoint, "+edns", "+bufsize=4096", "+ignore", "big.app.container");
        Assert.Contains("tc", edns.Flags);
        Assert.Contains("UDP size: 1232 B", edns.Text);
        var tcp = await DigTool.KdigAsync(dns.EndPoint, "+tcp", "big.app.container");
        Assert.Equal(100, tcp.Answer.Count);
    }

    [Fact]
    public async Task AnswersFollowTheCurrentSnapshot()
    {
        await using var dns = RunningServer.Start(Clusters.Example());
        Assert.Equal(["1.web.service.container. 5 IN A 192.168.1.10"], (await DigTool.DigAsync(dns.EndPoint, "1.web.service.container")).Answer);

        // The instance moves to another host: the next query sees it.
        dns.Publish(new ClusterStateBuilder()
            .Manifest("service", "web", 1, ("http", 80, "tcp"))
            .Instance("service", "web", 1, "192.168.1.77", ports: ("80/tcp", 49999))
            .State);
        Assert.Equal(["1.web.service.container. 5 IN A 192.168.1.77"], (await DigTool.DigAsync(dns.EndPoint, "1.web.service.container")).Answer);
        Assert.Equal(["80.tcp.1.web.service.container. 5 IN SRV 0 0 49999 1.web.service.container."], (await DigTool.DigAsync(dns.EndPoint, "80.tcp.1.web.service.container", "SRV")).Answer);
    }

    [Fact]
    public async Task ApexSoaAndNs()
    {
        await using var dns = RunningServer.Start(Clusters.Example());
        var soa = await DigTool.DigAsync(dns.EndPoint, "container", "SOA");
        Assert.Equal(["container. 5 IN SOA ns.container. hostmaster.container. 42 3600 600 86400 5"], soa.Answer);
        var ns = await DigTool.DigAsync(dns.EndPoint, "container", "NS");
        Assert.Equal(["container. 5 IN NS ns.container."], ns.Answer);
        Assert.Equal(["ns.container. 5 IN A 127.0.0.1"], ns.Additional);
    }
}
