using Dokkaa.Core.Units;
using Xunit;

namespace Dokkaa.Core.Tests.Units;

public sealed class DurationsTests
{
    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("2s", 2_000)]
    [InlineData("1.5m", 90_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("30", 30_000)]
    [InlineData("0.25", 250)]
    [InlineData("0", 0)]
    [InlineData(" 3s ", 3_000)]
    [InlineData(".5s", 500)]
    public void Parses(string text, double milliseconds)
    {
        Assert.True(Durations.TryParse(text, out var duration));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), duration);
        Assert.Equal(duration, Durations.Parse(text, "--timeout"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("s")]
    [InlineData("ms")]
    [InlineData("-1s")]
    [InlineData("+1s")]
    [InlineData("1d")]
    [InlineData("1 s")]
    [InlineData("1S")]
    [InlineData("1e3")]
    [InlineData("1,5s")]
    [InlineData("1,000")]
    [InlineData("2s3")]
    [InlineData("Infinity")]
    [InlineData("NaN")]
    [InlineData("NaNs")]
    [InlineData("∞")]
    [InlineData("99999999999999999999")]
    [InlineData("3000000000h")]
    [InlineData("1000000000000000000000000000000000000000ms")]
    public void Refuses(string? text)
    {
        Assert.False(Durations.TryParse(text, out var duration));
        Assert.Equal(default, duration);
    }

    [Fact]
    public void Parse_names_what_was_wrong()
    {
        var e = Assert.Throws<FormatException>(() => Durations.Parse("soon", "--timeout"));

        Assert.Contains("--timeout", e.Message, StringComparison.Ordinal);
        Assert.Contains("\"soon\"", e.Message, StringComparison.Ordinal);
    }
}
