using System.Globalization;

namespace Dokkaa.Cluster.Tests.Support;

/// <summary>Formatting of what the tests measure: per-host counts and percentiles of durations.</summary>
public static class Figures
{
    /// <summary>Nearest-rank percentile (p in 0..100) of a non-empty sample.</summary>
    public static TimeSpan Percentile(IReadOnlyCollection<TimeSpan> sample, double p)
    {
        if (sample.Count == 0)
            throw new ArgumentException("empty sample", nameof(sample));
        var sorted = sample.Order().ToList();
        var rank = (int)Math.Ceiling(p / 100 * sorted.Count);
        return sorted[Math.Clamp(rank, 1, sorted.Count) - 1];
    }

    public static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture) + "s";

    public static string Summary(IReadOnlyCollection<TimeSpan> sample) =>
        $"n={sample.Count} min {Seconds(sample.Min())} p50 {Seconds(Percentile(sample, 50))} p99 {Seconds(Percentile(sample, 99))} max {Seconds(sample.Max())} " +
        $"mean {Seconds(TimeSpan.FromTicks((long)sample.Average(t => t.Ticks)))}";

    /// <summary><c>h1=3 h2=2 h3=2</c>.</summary>
    public static string PerHost(IReadOnlyDictionary<string, int> counts) => string.Join(" ", counts.Select(kv => $"{kv.Key}={kv.Value}"));
}
