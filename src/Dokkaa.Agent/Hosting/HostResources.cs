using System.Globalization;
using Dokkaa.Core.Manifests;
using Dokkaa.Core.Manifests.Rules;

namespace Dokkaa.Agent.Hosting;

/// <summary>Reads the host's offer (labels, CPUs, memory) from flags, with the machine's own size as the default.</summary>
public static class HostResources
{
    public static IReadOnlyDictionary<string, string> ParseLabels(IEnumerable<string> pairs)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in pairs)
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var (name, value) = eq < 0 ? (pair, "") : (pair[..eq], pair[(eq + 1)..]);
            var reason = HostLabel.CheckName(name) ?? HostLabel.CheckValue(value);
            if (reason is not null)
                throw new FormatException($"--label {pair}: {reason}");
            labels[name] = value;
        }

        return labels;
    }

    public static int ParseCpus(string text, string flag = "--cpus") =>
        decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var cpus) && cpus >= 0 && cpus <= 100_000
            ? (int)(cpus * 1000)
            : throw new FormatException($"{flag}: \"{text}\" is not a number of cores");

    public static long ParseMemory(string text, string flag = "--memory")
    {
        // The same size syntax as a manifest's resources.memory, so operators learn one rule.
        if (text == "0")
            return 0;
        var json = "{\"image\":\"x\",\"resources\":{\"memory\":" + System.Text.Json.JsonSerializer.Serialize(text) + "}}";
        var probe = ManifestParser.TryParse(json, out var manifest, out _);
        return probe && manifest!.Resources is { } r
            ? r.MemoryBytes
            : throw new FormatException($"{flag}: \"{text}\" is not a size like 8g or 512m");
    }

    /// <summary>MemTotal from /proc/meminfo as a size flag value, or 0 (no limit) where that is unknown.</summary>
    public static string TotalMemoryText()
    {
        try
        {
            var line = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
            var kb = line?.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
            return kb is null ? "0" : kb + "k";
        }
        catch (IOException)
        {
            return "0";
        }
    }
}
