using System.Net;
using Dokkaa.Dns.Limits;
using Dokkaa.Dns.Tests.Support;
using Xunit;

namespace Dokkaa.Dns.Tests;

/// <summary>The answering hot path allocates nothing once the snapshot's index exists (it is compared with dnsmasq).</summary>
[Collection(AllocationCollection.Name)]
public sealed class AllocationTests
{
    [Theory]
    [InlineData("1.web.service.container", TestQuery.A, null)]
    [InlineData("80.tcp.1.web.service.container", TestQuery.Srv, 1232)]
    [InlineData("_nginx._tcp.dummy.container", TestQuery.Srv, null)]
    [InlineData("nothing.container", TestQuery.A, 1232)]
    [InlineData("example.com", TestQuery.A, null)]
    public void AnsweringAllocatesNothing(string name, ushort type, int? edns)
    {
        var state = Clusters.Example();
        var query = TestQuery.Build(name, type, ednsPayload: edns);
        var response = new byte[DnsResolverCore.MaximumResponseLength];
        var first = DnsResolverCore.Answer(query, state, Ask.Options, response, DnsTransport.Udp);
        Assert.Equal(DnsAnswerAction.Respond, first.Action);

        // Up to five windows of 1,000 answers: an answer that allocates shows in every window, while the
        // runtime's own one-off work (tiered compilation replacing a method while the loop runs) shows in one
        // at most. So one empty window proves the path allocates nothing per answer.
        var windows = new List<long>();
        for (var window = 0; window < 5 && (windows.Count == 0 || windows[^1] != 0); window++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 1000; i++)
                DnsResolverCore.Answer(query, state, Ask.Options, response, DnsTransport.Udp);
            windows.Add(GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.True(windows[^1] == 0, $"bytes allocated in each window of 1,000 answers: {string.Join(", ", windows)}");
    }

    [Fact]
    public void RateLimitingAllocatesNothing()
    {
        var limiter = new ResponseRateLimiter(new DnsRateLimitOptions { Exempt = [IPNetwork.Parse("172.17.0.0/16")] }, TimeProvider.System);
        var client = new IPEndPoint(IPAddress.Parse("192.0.2.1"), 5353).Serialize();
        Assert.True(SourceAddress.TryRead(client, out var first));
        limiter.Check(first, out _);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            SourceAddress.TryRead(client, out var source);
            limiter.Check(source, out _);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
