using Dokkaa.Core.Manifests;
using Xunit;

namespace Dokkaa.Core.Tests.Manifests;

public sealed class ResourceNamesTests
{
    [Theory]
    [InlineData("a")]
    [InlineData("dummy")]
    [InlineData("nginx")]
    [InlineData("web-1")]
    [InlineData("0")]
    [InlineData("a--b")]
    [InlineData("123456789012345678901234567890123456789012345678901234567890123")]
    public void ValidNamesAreAccepted(string name)
    {
        Assert.True(ResourceNames.IsValidName(name, out var reason));
        Assert.Null(reason);
        ResourceNames.ValidateApp(name);
        ResourceNames.ValidateName(name);
    }

    [Theory]
    [InlineData("", "must not be empty")]
    [InlineData("Nginx", "must be lowercase")]
    [InlineData("web_1", "must not contain '_'")]
    [InlineData("a.b", "must not contain '.'")]
    [InlineData("a/b", "must not contain '/'")]
    [InlineData("a b", "must not contain ' '")]
    [InlineData("-a", "must start and end with a letter or digit")]
    [InlineData("a-", "must start and end with a letter or digit")]
    [InlineData("a---b", "must not contain \"---\"")]
    [InlineData("a----b", "must not contain \"---\"")]
    [InlineData("1234567890123456789012345678901234567890123456789012345678901234", "at most 63")]
    [InlineData("caf\u00e9", "must not contain")]
    public void InvalidNamesAreRejectedWithAReason(string name, string reason)
    {
        Assert.False(ResourceNames.IsValidName(name, out var actual));
        Assert.Contains(reason, actual, StringComparison.Ordinal);

        var app = Assert.Throws<InvalidResourceNameException>(() => ResourceNames.ValidateApp(name));
        Assert.Equal("app", app.ParamName);
        Assert.Equal("app", app.Kind);
        Assert.Equal(name, app.Value);
        Assert.Contains(reason, app.Message, StringComparison.Ordinal);

        var manifestName = Assert.Throws<InvalidResourceNameException>(() => ResourceNames.ValidateName(name));
        Assert.Equal("name", manifestName.ParamName);
        Assert.StartsWith("Invalid name ", manifestName.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ExceptionIsAnArgumentExceptionWithARuleInTheMessage()
    {
        ArgumentException exception = Assert.Throws<InvalidResourceNameException>(() => ResourceNames.ValidateApp("My_App"));

        Assert.Contains("\"My_App\"", exception.Message, StringComparison.Ordinal);
        Assert.Contains(ResourceNames.Rule, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NullIsRejected()
    {
        Assert.False(ResourceNames.IsValidName(null, out var reason));
        Assert.Equal("must not be null", reason);
        Assert.Throws<InvalidResourceNameException>(() => ResourceNames.ValidateApp(null!));
    }

    [Fact]
    public void HostileNamesAreEscapedInTheMessage()
    {
        var exception = Assert.Throws<InvalidResourceNameException>(() => ResourceNames.ValidateName("a\nb"));

        Assert.DoesNotContain('\n', exception.Message);
    }
}
