using System.CommandLine;
using Dokkaa.Dns.Limits;

namespace Dokkaa.Agent.CommandLine;

/// <summary>The response-rate limiting flags, the same on <c>dokkaa-agent</c> and <c>dokkaa-agent dns</c>.</summary>
internal sealed class DnsRateLimitFlags
{
    private static readonly DnsRateLimitOptions Defaults = new();

    public Option<int> Rate { get; } = new("--dns-rate-limit") { Description = "UDP answers per second per client /24 (IPv6: /56) once the burst is spent; 0 turns limiting off. Loopback, the Docker bridge and --dns-rate-limit-exempt are never limited.", DefaultValueFactory = _ => Defaults.ResponsesPerSecond };
    public Option<int> Burst { get; } = new("--dns-rate-limit-burst") { Description = "UDP answers a client prefix may have at once before the rate applies.", DefaultValueFactory = _ => Defaults.Burst };
    public Option<int> Slip { get; } = new("--dns-rate-limit-slip") { Description = "Every Nth limited query gets a truncated answer (the client retries over TCP); 0: drop them all.", DefaultValueFactory = _ => Defaults.Slip };
    public Option<string[]> Exempt { get; } = new("--dns-rate-limit-exempt") { Description = "Network never rate limited, e.g. 10.1.0.0/16 (repeatable; in addition to loopback and the Docker bridge)." };

    public IEnumerable<Option> All => new Option[] { Rate, Burst, Slip, Exempt };

    /// <summary>Reads the flags; a bad value is a <see cref="FormatException"/> naming the flag.</summary>
    public DnsRateLimitOptions ToOptions(ParseResult result)
    {
        var rate = result.GetValue(Rate);
        var burst = result.GetValue(Burst);
        var slip = result.GetValue(Slip);
        if (rate < 0)
            throw new FormatException($"--dns-rate-limit: {rate} is not 0 (off) or a number of answers per second");
        if (burst < 1)
            throw new FormatException($"--dns-rate-limit-burst: {burst} is not a positive number of answers");
        if (slip < 0)
            throw new FormatException($"--dns-rate-limit-slip: {slip} is not 0 (drop every limited query) or a positive N");
        var exempt = new List<System.Net.IPNetwork>(Defaults.Exempt);
        foreach (var text in result.GetValue(Exempt) ?? Array.Empty<string>())
        {
            try
            {
                exempt.Add(DnsRateLimitOptions.ParseNetwork(text));
            }
            catch (FormatException e)
            {
                throw new FormatException($"--dns-rate-limit-exempt: {e.Message}", e);
            }
        }

        return Defaults with { ResponsesPerSecond = rate, Burst = burst, Slip = slip, Exempt = exempt };
    }
}
