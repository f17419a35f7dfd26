using Dokkaa.Core.Cluster;
using Xunit;

namespace Dokkaa.Dns.Tests.Support;

/// <summary>Runs <see cref="DnsResolverCore.Answer"/> without sockets, checks the response against the zone (<see cref="AnswerCheck"/>) and decodes it.</summary>
public static class Ask
{
    /// <summary>Options shared by the tests (one instance, so the compiled form is cached once).</summary>
    public static readonly DnsServerOptions Options = new();

    public static readonly DnsServerOptions Forwarding = new() { Upstreams = [new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 5399)] };

    public static byte[] Raw(ClusterState state, byte[] query, DnsServerOptions? options = null, DnsTransport transport = DnsTransport.Udp)
    {
        var buffer = new byte[DnsResolverCore.MaximumResponseLength];
        var answer = DnsResolverCore.Answer(query, state, options ?? Options, buffer, transport);
        Assert.Equal(DnsAnswerAction.Respond, answer.Action);
        AnswerCheck.Verify(buffer.AsSpan(0, answer.Length), ExpectedZone.Of(state, options ?? Options), transport, query);
        return buffer[..answer.Length];
    }

    public static TestMessage Message(ClusterState state, byte[] query, DnsServerOptions? options = null, DnsTransport transport = DnsTransport.Udp)
    {
        var message = TestMessage.Parse(Raw(state, query, options, transport));
        Assert.True(message.Qr);
        return message;
    }

    public static TestMessage Message(ClusterState state, string name, ushort type, DnsServerOptions? options = null, DnsTransport transport = DnsTransport.Udp, int? ednsPayload = null) =>
        Message(state, TestQuery.Build(name, type, ednsPayload: ednsPayload), options, transport);

    /// <summary>Bytes written as hex with any spacing, for hand-written captures.</summary>
    public static byte[] Hex(string text) => Convert.FromHexString(string.Concat(text.Where(Uri.IsHexDigit)));
}
