using Dokkaa.Core.Manifests;
using Xunit;

namespace Dokkaa.PowerShell.Tests.Input;

/// <summary>The one-line change that -WhatIf and -Confirm show.</summary>
public sealed class ManifestDiffTests
{
    private static readonly Manifest Web = ManifestParser.Parse("""
        { "image": "shop/web:1.4", "scale": 2, "services": { "web": 8080 }, "links": ["db"], "env": { "MODE": "production", "SECRET": "hunter2" } }
        """);

    [Fact]
    public void Creation_summarises_the_manifest()
    {
        Assert.Equal("create: image shop/web:1.4, scale 2, services web=8080/tcp, links db, env MODE SECRET", ManifestDiff.Describe(null, Web));
    }

    [Fact]
    public void Same_manifest_is_no_change() => Assert.Equal("no change", ManifestDiff.Describe(Web, Web with { }));

    [Fact]
    public void Each_changed_field_is_named_and_env_values_are_never_shown()
    {
        var after = Web with
        {
            Image = "shop/web:1.5",
            Scale = 5,
            Services = new Dictionary<string, ServicePort> { ["web"] = new(8081), ["metrics"] = new(9100, "tcp", "metrics") },
            Links = ["db", "cache"],
            Env = new Dictionary<string, string> { ["MODE"] = "staging", ["NEW"] = "x" },
            Http = new HttpRoute("shop.example.com", 8080),
            Exclusive = true,
            Command = ["run"],
        };
        var text = ManifestDiff.Describe(Web, after);
        Assert.Equal(
            "image shop/web:1.4 -> shop/web:1.5; scale 2 -> 5; services +metrics=9100/tcp (metrics) ~web=8081/tcp; command (image default) -> [run]; " +
            "links +cache; env ~MODE +NEW -SECRET; http (none) -> shop.example.com:8080; exclusive false -> true",
            text);
        Assert.DoesNotContain("staging", text, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", ManifestDiff.Describe(null, Web), StringComparison.Ordinal);
    }
}
