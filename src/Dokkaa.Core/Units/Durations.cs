using System.Globalization;

namespace Dokkaa.Core.Units;

/// <summary>Durations as operators write them on a command line: <c>500ms</c>, <c>2s</c>, <c>1.5m</c>, <c>1h</c>; a bare number is seconds.</summary>
public static class Durations
{
    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = default;
        if (string.IsNullOrWhiteSpace(text))
            return false;
        text = text.Trim();
        var (number, unit) = text.EndsWith("ms", StringComparison.Ordinal) ? (text[..^2], 0.001)
            : text.EndsWith('s') ? (text[..^1], 1.0)
            : text.EndsWith('m') ? (text[..^1], 60.0)
            : text.EndsWith('h') ? (text[..^1], 3600.0)
            : (text, 1.0);
        if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
            return false;
        // double.TryParse also takes "NaN" and "Infinity" whatever the styles, and TimeSpan throws for NaN and
        // for anything beyond TimeSpan.MaxValue: refuse those here, so TryParse never throws.
        var seconds = value * unit;
        if (!(seconds >= 0 && seconds < TimeSpan.MaxValue.TotalSeconds))
            return false;
        duration = TimeSpan.FromSeconds(seconds);
        return true;
    }

    public static TimeSpan Parse(string text, string what) =>
        TryParse(text, out var duration)
            ? duration
            : throw new FormatException($"{what}: \"{text}\" is not a duration (examples: 500ms, 2s, 1.5m, 1h)");
}
