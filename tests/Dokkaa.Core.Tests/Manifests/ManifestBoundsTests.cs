using Dokkaa.Core.Manifests;
using Dokkaa.Core.Status;
using Xunit;

namespace Dokkaa.Core.Tests.Manifests;

/// <summary>What one hostile manifest can cost: its errors and its size are bounded, and so is the status they make.</summary>
public sealed class ManifestBoundsTests
{
    [Fact]
    public void Thousands_of_errors_are_kept_to_the_first_fifty_and_counted()
    {
        var json = $$"""{"image":"nginx","command":[{{string.Join(",", Enumerable.Repeat("1", 40_000))}}]}""";

        Assert.False(ManifestParser.TryParse(json, out _, out var errors));

        Assert.Equal(51, errors.Count);
        Assert.Equal("$.command[0]", errors[0].Path);
        Assert.Equal("$.command[49]", errors[49].Path);
        Assert.Equal(new ManifestError("$", "and 39950 more error(s)"), errors[50]);
    }

    [Fact]
    public void A_manifest_over_the_size_limit_is_not_read()
    {
        var json = """{"image":"nginx","env":{"BIG":""" + "\"" + new string('x', ManifestParser.MaxTextLength) + "\"}}";

        Assert.False(ManifestParser.TryParse(json, out _, out var errors));

        var error = Assert.Single(errors);
        Assert.Equal("$", error.Path);
        Assert.Contains("the limit is 262,144", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_manifest_just_under_the_limit_is_read()
    {
        var head = """{"image":"nginx","env":{"BIG":""" + "\"";
        const string tail = "\"}}";
        var json = head + new string('x', ManifestParser.MaxTextLength - head.Length - tail.Length) + tail;

        Assert.True(ManifestParser.TryParse(json, out _, out var errors), string.Join("; ", errors));
    }

    [Fact]
    public void A_status_keeps_twenty_errors_of_bounded_length_and_counts_the_rest()
    {
        var errors = Enumerable.Range(1, 45).Select(i => i == 1 ? new string('e', 10_000) : $"error {i}").ToList();

        var bounded = StatusCalculator.Bound(errors);

        Assert.Equal(StatusCalculator.MaxErrors + 1, bounded.Count);
        Assert.Equal(StatusCalculator.MaxErrorLength + "... (cut)".Length, bounded[0].Length);
        Assert.Equal("error 20", bounded[19]);
        Assert.Equal("and 25 more error(s)", bounded[20]);
    }

    [Fact]
    public void A_short_status_is_kept_as_it_is()
    {
        var errors = new List<string> { "one", "two" };

        Assert.Equal(errors, StatusCalculator.Bound(errors));
    }
}
