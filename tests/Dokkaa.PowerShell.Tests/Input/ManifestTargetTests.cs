using Dokkaa.Core.Manifests;
using Dokkaa.Core.Operations;
using Xunit;

namespace Dokkaa.PowerShell.Tests.Input;

public sealed class ManifestTargetTests
{
    private static readonly Manifest Nginx = new() { Image = "dockerfile/nginx" };

    [Fact]
    public void Parameters_win_over_what_the_input_says()
    {
        var source = new ManifestSource(Nginx, "fromfile", "fromfile", "file x");
        Assert.Equal(("dummy", "nginx"), ManifestTarget.Resolve("dummy", "nginx", source));
        Assert.Equal(("fromfile", "nginx"), ManifestTarget.Resolve(null, "nginx", source));
        Assert.Equal(("dummy", "fromfile"), ManifestTarget.Resolve("dummy", "", source));
    }

    [Fact]
    public void Missing_app_or_name_says_how_to_give_it()
    {
        var source = new ManifestSource(Nginx, null, "nginx", "file /x/nginx.json");
        var e = Assert.Throws<DokkaaException>(() => ManifestTarget.Resolve(null, null, source));
        Assert.Equal("DokkaaNameInvalid", e.ErrorId);
        Assert.Contains("-App", e.Message, StringComparison.Ordinal);
        Assert.Contains("file /x/nginx.json", e.Message, StringComparison.Ordinal);
        var noName = Assert.Throws<DokkaaException>(() => ManifestTarget.Resolve("dummy", null, source with { Name = null }));
        Assert.Contains("-Name", noName.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Dummy", "nginx")]
    [InlineData("dummy", "ng---inx")]
    [InlineData("dummy", "a/b")]
    [InlineData("du mmy", "nginx")]
    public void Invalid_names_are_refused_before_any_write(string app, string name)
    {
        var e = Assert.Throws<DokkaaException>(() => ManifestTarget.Resolve(app, name, new ManifestSource(Nginx, null, null, "x")));
        Assert.Equal(DokkaaErrorKind.NameInvalid, e.Kind);
    }
}
