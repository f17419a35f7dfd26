using Dokkaa.Core.Operations;
using Xunit;

namespace Dokkaa.Core.Tests.Operations;

public sealed class GlobTests
{
    [Theory]
    [InlineData("nginx", null)]
    [InlineData("nginx", "*")]
    [InlineData("", "*")]
    [InlineData("", null)]
    [InlineData("", "")]
    [InlineData("nginx", "nginx")]
    [InlineData("nginx", "ng*")]
    [InlineData("nginx", "*nx")]
    [InlineData("nginx", "*gin*")]
    [InlineData("nginx", "n?inx")]
    [InlineData("nginx", "?????")]
    [InlineData("nginx", "n*x")]
    [InlineData("nginx", "n**x")]
    [InlineData("nginx", "nginx*")]
    [InlineData("nginx", "*nginx")]
    [InlineData("aab", "*ab")]
    [InlineData("abcabd", "a*bd")]
    [InlineData("a*b", "a*b")]
    public void Matches(string text, string? pattern) => Assert.True(Glob.IsMatch(text, pattern));

    [Theory]
    [InlineData("nginx", "")]
    [InlineData("", "?")]
    [InlineData("nginx", "Nginx")]
    [InlineData("nginx", "ngin")]
    [InlineData("nginx", "nginxx")]
    [InlineData("nginx", "????")]
    [InlineData("nginx", "??????")]
    [InlineData("nginx", "*ng")]
    [InlineData("nginx", "x*")]
    [InlineData("nginx", "n*y")]
    [InlineData("abcabc", "a*bd")]
    public void Does_not_match(string text, string pattern) => Assert.False(Glob.IsMatch(text, pattern));

    [Theory]
    [InlineData("a*", true)]
    [InlineData("a?", true)]
    [InlineData("*", true)]
    [InlineData("nginx", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void HasWildcards(string? pattern, bool expected) => Assert.Equal(expected, Glob.HasWildcards(pattern));
}
