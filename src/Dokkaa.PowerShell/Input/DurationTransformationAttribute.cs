using System.Globalization;
using System.Management.Automation;
using Dokkaa.Core.Units;

namespace Dokkaa.PowerShell;

/// <summary>
/// Lets a <see cref="TimeSpan"/> parameter take what an operator types: a TimeSpan
/// (<c>(New-TimeSpan -Minutes 2)</c>), text in the CLI's duration syntax (<c>90s</c>, <c>2m</c>,
/// <c>1.5h</c>, <c>500ms</c>), or a number of seconds (<c>-Timeout 30</c>, as before). The syntax is
/// Core's <see cref="Durations"/>, the one <c>dokkaa wait --timeout</c> reads.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class DurationTransformationAttribute : ArgumentTransformationAttribute
{
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        var value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
        switch (value)
        {
            case TimeSpan span:
                return span;
            case int or long or short or byte or uint or ulong or ushort or sbyte:
                return TimeSpan.FromSeconds(System.Convert.ToDouble(value, CultureInfo.InvariantCulture));
            case double or float or decimal:
                var seconds = System.Convert.ToDouble(value, CultureInfo.InvariantCulture);
                if (double.IsFinite(seconds) && seconds >= 0 && seconds < TimeSpan.MaxValue.TotalSeconds)
                    return TimeSpan.FromSeconds(seconds);
                break;
            case string text:
                if (Durations.TryParse(text, out var duration))
                    return duration;
                if (TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var clock))
                    return clock;
                break;
        }

        throw new ArgumentTransformationMetadataException(
            $"'{value}' is not a duration: give a TimeSpan, seconds (30), or text such as 500ms, 90s, 2m, 1h or 00:02:00.");
    }
}
