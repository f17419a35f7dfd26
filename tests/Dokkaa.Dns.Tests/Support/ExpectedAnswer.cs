using System.Globalization;
using System.Net;

namespace Dokkaa.Dns.Tests.Support;

/// <summary>What the server must answer to one question from an <see cref="ExpectedZone"/>.</summary>
public sealed record ExpectedAnswer
{
    /// <summary>RCODE as a number (extended codes included: BADVERS is 16).</summary>
    public int Rcode { get; init; }

    public bool Authoritative { get; init; }

    /// <summary>Outside the zone with upstreams configured: the answer is the upstream's, not the zone's to check.</summary>
    public bool Forwarded { get; init; }

    /// <summary>ANY over UDP: always answered truncated, without records (RFC 8482 4.4).</summary>
    public bool AlwaysTruncated { get; init; }

    /// <summary>Whether the response carries an OPT record when the query had one (FORMERR drops it).</summary>
    public bool EchoesOpt { get; init; } = true;

    public IReadOnlyList<TestRecord> Answers { get; init; } = [];

    public IReadOnlyList<TestRecord> Authority { get; init; } = [];

    /// <summary>The additional records (glue): all of them over TCP, any of them over UDP when space ran out.</summary>
    public IReadOnlyList<TestRecord> Additional { get; init; } = [];

    private const ushort TypeA = 1, TypeNs = 2, TypeSoa = 6, TypeAaaa = 28, TypeSrv = 33, TypeOpt = 41;
    private const ushort TypeIxfr = 251, TypeAxfr = 252, TypeMailB = 253, TypeMailA = 254, TypeAny = 255;
    private const int NoError = 0, FormErr = 1, NxDomain = 3, NotImp = 4, Refused = 5, BadVers = 16;

    /// <summary>
    /// The answer to <paramref name="name"/> (as asked, any case) of <paramref name="type"/> and <paramref name="class"/>,
    /// in the order of RFC 1035 and the README: EDNS version, OPT as a question, zone transfers, outside the zone
    /// (forwarded or REFUSED), classes other than IN/ANY, MAILA/MAILB, ANY over UDP, then the zone's records or
    /// NXDOMAIN/NODATA with the SOA.
    /// </summary>
    public static ExpectedAnswer For(ExpectedZone zone, string name, ushort type, ushort @class, DnsTransport transport, int ednsVersion = 0) =>
        For(zone, name.TrimEnd('.').Split('.', StringSplitOptions.RemoveEmptyEntries), type, @class, transport, ednsVersion);

    /// <summary>The same for a name given as its labels (a label may hold any byte, a dot included).</summary>
    public static ExpectedAnswer For(ExpectedZone zone, IReadOnlyList<string> labels, ushort type, ushort @class, DnsTransport transport, int ednsVersion = 0)
    {
        if (ednsVersion != 0)
            return new ExpectedAnswer { Rcode = BadVers };
        if (type == TypeOpt)
            return new ExpectedAnswer { Rcode = FormErr, EchoesOpt = false };
        if (type is TypeAxfr or TypeIxfr)
            return new ExpectedAnswer { Rcode = Refused };

        // Names compare without ASCII case (RFC 4343); other bytes as they are.
        var lower = labels.Select(l => string.Concat(l.Select(c => char.IsAsciiLetterUpper(c) ? char.ToLowerInvariant(c) : c))).ToList();
        var apex = zone.Apex.Split('.');
        if (lower.Count < apex.Length || !lower.Skip(lower.Count - apex.Length).SequenceEqual(apex))
            return zone.Forwarding ? new ExpectedAnswer { Forwarded = true } : new ExpectedAnswer { Rcode = Refused };
        var inside = lower.Take(lower.Count - apex.Length).ToList();
        var relative = string.Join('.', inside);

        if (@class is not (1 or 255))
            return new ExpectedAnswer { Rcode = Refused };
        if (type is TypeMailA or TypeMailB)
            return new ExpectedAnswer { Rcode = NotImp };
        if (type == TypeAny && transport == DnsTransport.Udp)
            return new ExpectedAnswer { Rcode = NoError, Authoritative = true, AlwaysTruncated = true };

        var soa = new TestRecord(zone.Absolute(""), TypeSoa, 1, zone.Ttl, Soa(zone));
        // A label with a dot in it is none of the zone's names (joined, it would look like two labels).
        if (inside.Any(l => l.Contains('.', StringComparison.Ordinal)) || !zone.Nodes.TryGetValue(relative, out var node))
            return new ExpectedAnswer { Rcode = NxDomain, Authoritative = true, Authority = [soa] };

        var owner = zone.Absolute(relative);
        var any = type == TypeAny;
        var answers = new List<TestRecord>();
        var additional = new List<TestRecord>();
        if (relative.Length == 0 && (any || type == TypeSoa))
            answers.Add(soa);
        if (relative.Length == 0 && (any || type == TypeNs))
        {
            answers.Add(new TestRecord(owner, TypeNs, 1, zone.Ttl, zone.Absolute("ns")));
            additional.AddRange(Addresses(zone, "ns"));
        }

        if (any || type == TypeA)
            answers.AddRange(node.V4.Select(a => Address(zone, owner, a)));
        if (any || type == TypeAaaa)
            answers.AddRange(node.V6.Select(a => Address(zone, owner, a)));
        if (any || type == TypeSrv)
        {
            foreach (var (port, target) in node.Srv)
            {
                answers.Add(new TestRecord(owner, TypeSrv, 1, zone.Ttl, string.Create(CultureInfo.InvariantCulture, $"0 0 {port} {zone.Absolute(target)}")));
                additional.AddRange(Addresses(zone, target));
            }
        }

        return answers.Count == 0
            ? new ExpectedAnswer { Rcode = NoError, Authoritative = true, Authority = [soa] }
            : new ExpectedAnswer { Rcode = NoError, Authoritative = true, Answers = answers, Additional = additional };
    }

    private static string Soa(ExpectedZone zone) =>
        string.Create(CultureInfo.InvariantCulture, $"{zone.Absolute("ns")} {zone.Absolute("hostmaster")} {zone.Serial} 3600 600 86400 {zone.Ttl}");

    private static IEnumerable<TestRecord> Addresses(ExpectedZone zone, string relative)
    {
        var node = zone.Nodes[relative];
        return node.V4.Concat(node.V6).Select(a => Address(zone, zone.Absolute(relative), a));
    }

    private static TestRecord Address(ExpectedZone zone, string owner, IPAddress address) =>
        new(owner, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? TypeA : TypeAaaa, 1, zone.Ttl, address.ToString());
}
