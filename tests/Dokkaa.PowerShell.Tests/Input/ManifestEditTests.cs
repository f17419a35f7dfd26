using System.Collections;
using Dokkaa.Core.Manifests;
using Dokkaa.Core.Operations;
using Xunit;

namespace Dokkaa.PowerShell.Tests.Input;

public sealed class ManifestEditTests
{
    private static readonly Manifest Web = ManifestParser.Parse("""
        { "image": "shop/web:1.4", "scale": 2, "services": { "web": 8080 }, "env": { "MODE": "production", "OLD": "1" } }
        """);

    [Fact]
    public void Only_what_is_given_changes()
    {
        var scaled = new ManifestEdit(Scale: 10).ApplyTo(Web);
        Assert.Equal(Web with { Scale = 10 }, scaled);
        Assert.Same(Web.Env, scaled.Env);

        var image = new ManifestEdit(Image: "shop/web:1.5").ApplyTo(Web);
        Assert.Equal("shop/web:1.5", image.Image);
        Assert.Equal(2, image.Scale);
    }

    [Fact]
    public void Env_is_merged_and_null_removes()
    {
        var edited = new ManifestEdit(Env: new Hashtable { ["LOG_LEVEL"] = "debug", ["OLD"] = null, ["MODE"] = "staging" }).ApplyTo(Web);
        Assert.Equal(new Dictionary<string, string> { ["LOG_LEVEL"] = "debug", ["MODE"] = "staging" }, edited.Env);
    }

    [Fact]
    public void Env_values_must_be_text()
    {
        var e = Assert.Throws<DokkaaException>(() => new ManifestEdit(Env: new Hashtable { ["PORT"] = 8080 }).ApplyTo(Web));
        Assert.Equal(DokkaaErrorKind.ManifestInvalid, e.Kind);
        Assert.Contains("$.env.PORT", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Emptiness()
    {
        Assert.True(new ManifestEdit().IsEmpty);
        Assert.False(new ManifestEdit(Scale: 0).IsEmpty);
    }
}
