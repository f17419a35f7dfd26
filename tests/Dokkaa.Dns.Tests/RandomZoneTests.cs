using System.Globalization;
using Dokkaa.Dns.Tests.Support;
using Xunit;
using Xunit.Abstractions;
using Xunit.Sdk;
using static Dokkaa.Dns.Tests.Support.TestSockets;

namespace Dokkaa.Dns.Tests;

/// <summary>
/// Random zones and random questions, asked over real UDP and TCP of a running server on loopback, each answer
/// decoded by ARSoft and compared with the answer worked out from the random cluster (<see cref="AnswerCheck"/>,
/// through <see cref="TestSockets"/>): NXDOMAIN or NODATA as it should be, every record there and nothing more.
/// Seeded: <c>DOKKAA_DNS_SEED=N</c> replays a run; a failure names its seed.
/// </summary>
public sealed class RandomZoneTests(ITestOutputHelper output)
{
    private const int Zones = 30;
    private const int QuestionsPerZone = 20;

    [Fact]
    public async Task RandomQuestionsAboutRandomZonesGetWhatTheZoneHolds()
    {
        var seed = Environment.GetEnvironmentVariable("DOKKAA_DNS_SEED") is { Length: > 0 } text
            ? int.Parse(text, CultureInfo.InvariantCulture)
            : Random.Shared.Next();
        output.WriteLine($"seed {seed} (DOKKAA_DNS_SEED={seed} replays this run)");
        var random = new Random(seed);
        var generate = new RandomZone(random);

        // Two servers that differ in everything the options decide: zone name, TTL, forwarding (to a stub on loopback).
        await using var upstream = StubUpstream.Start();
        await using var plain = RunningServer.Start(generate.Cluster());
        await using var other = RunningServer.Start(generate.Cluster(), new DnsServerOptions
        {
            Listen = RunningServer.Loopback,
            Zone = "Cluster.Internal",
            Ttl = TimeSpan.FromSeconds(30),
            Upstreams = [upstream.EndPoint],
        });

        var outcomes = new Dictionary<string, int>();
        var asked = 0;
        for (var round = 0; round < Zones; round++)
        {
            var dns = round % 2 == 0 ? plain : other;
            dns.Publish(generate.Cluster());
            for (var q = 0; q < QuestionsPerZone; q++)
            {
                var (name, type) = generate.Question(dns.Zone);
                var (payload, dnssecOk, version) = generate.Edns();
                var query = TestQuery.Build(name, type, (ushort)random.Next(65536), generate.RecursionDesired(), payload, dnssecOk, generate.Class(), version);
                var tcp = generate.OverTcp();
                try
                {
                    var outcome = await AskAsync(dns, query, payload, tcp);
                    outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
                    asked++;
                }
                catch (Exception e) when (e is XunitException or FormatException)
                {
                    throw new XunitException($"seed {seed} (DOKKAA_DNS_SEED={seed} replays it), zone {round}, {name} type {type} over {(tcp ? "TCP" : "UDP")}, query {Convert.ToHexString(query)}: {e.Message}");
                }
            }
        }

        output.WriteLine($"{asked} questions: {string.Join(", ", outcomes.OrderBy(o => o.Key).Select(o => $"{o.Key} {o.Value}"))}");
        // The generators must reach every kind of answer, or the comparison above proves little.
        string[] kinds = ["records", "SRV", "NODATA", "NXDOMAIN", "REFUSED", "forwarded", "TC", "TCP", "AAAA", "rcode 1", "rcode 4", "rcode 16"];
        Assert.Equal([], kinds.Where(k => !outcomes.ContainsKey(k)).ToArray());
    }

    /// <summary>
    /// Asks once; TestSockets checks the answer against the zone. An answer truncated over UDP is asked again over
    /// TCP, which must give all of it, and truncation is only right when that does not fit the UDP limit (or for ANY).
    /// Returns what kind of answer it was.
    /// </summary>
    private static async Task<string> AskAsync(RunningServer dns, byte[] query, int? payload, bool tcp)
    {
        var message = tcp ? (await TcpAsync(dns.EndPoint, query))! : await UdpAsync(dns.EndPoint, query);
        if (message.Questions.Count == 0 || message.ExtendedRcode is 1 or 4 or 16)
            return "rcode " + message.ExtendedRcode;
        var question = message.Questions.Single();
        var zone = dns.Zone;
        var expected = ExpectedAnswer.For(zone, question.Name, question.Type, question.Class, tcp ? DnsTransport.Tcp : DnsTransport.Udp);
        if (expected.Forwarded)
        {
            Assert.Equal(StubUpstream.Address.ToString(), Assert.Single(message.Answers).Data);
            return "forwarded";
        }

        var limit = payload is { } size ? Math.Clamp(size, 512, zone.MaxUdpPayload) : 512;
        if (message.Tc || (!tcp && message.Additional.Count(r => r.Type != 41) < expected.Additional.Count))
        {
            var complete = (await TcpBytesAsync(dns.EndPoint, query))!.Length;
            Assert.True(question.Type == 255 || complete > limit, $"UDP answer cut although the whole answer ({complete} bytes) fits {limit}");
            if (message.Tc)
                return "TC";
        }

        return message.Rcode switch
        {
            5 => "REFUSED",
            3 => "NXDOMAIN",
            0 when message.Answers.Count == 0 => "NODATA",
            0 when tcp => "TCP",
            0 when message.Answers.Any(a => a.Type == TestQuery.Srv) => "SRV",
            0 when message.Answers.Any(a => a.Type == TestQuery.Aaaa) => "AAAA",
            0 => "records",
            _ => "rcode " + message.Rcode,
        };
    }
}
