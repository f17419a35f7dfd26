using System.Text.Json;
using Dokkaa.Core.Manifests;
using Xunit;

namespace Dokkaa.Core.Tests.Manifests;

public sealed class ManifestParserAcceptTests
{
    [Fact]
    public void SeedNginxManifestParses()
    {
        var manifest = ManifestParser.Parse(SeedManifests.Nginx);

        Assert.Equal("dockerfile/nginx", manifest.Image);
        Assert.Equal(1, manifest.Scale);
        Assert.Equal(new ServicePort(80, "tcp", null), Assert.Single(manifest.Services).Value);
        Assert.Equal("nginx", manifest.Services.Keys.Single());
        Assert.Null(manifest.Command);
        Assert.Empty(manifest.Links);
        Assert.Empty(manifest.Env);
        Assert.Null(manifest.Http);
        Assert.False(manifest.Exclusive);
    }

    [Fact]
    public void SeedCrawlerManifestParses()
    {
        var manifest = ManifestParser.Parse(SeedManifests.Crawler);

        Assert.Equal("dockerfile/ubuntu", manifest.Image);
        Assert.Equal(
            new[] { "/bin/bash", "-c", "while true; do curl http://$SERVICE_NGINX_ADDR:$SERVICE_NGINX_PORT; sleep 2; done" },
            manifest.Command);
        Assert.Equal(new[] { "nginx" }, manifest.Links);
        Assert.Empty(manifest.Services);
    }

    [Fact]
    public void EveryFieldIsRead()
    {
        var manifest = ManifestParser.Parse(SeedManifests.Full);

        Assert.Equal("registry.example.com:5000/shop/web:1.2", manifest.Image);
        Assert.Equal(3, manifest.Scale);
        Assert.Equal(new ServicePort(8080, "tcp", "web"), manifest.Services["web"]);
        Assert.Equal(new ServicePort(9100, "tcp", null), manifest.Services["metrics"]);
        Assert.Equal(new ServicePort(53, "udp", null), manifest.Services["dns"]);
        Assert.Equal(new[] { "/app/web", "--listen", ":8080" }, manifest.Command);
        Assert.Equal(new[] { "db", "cache.shared" }, manifest.Links);
        Assert.Equal("production", manifest.Env["MODE"]);
        Assert.Equal("", manifest.Env["_X1"]);
        Assert.Equal(new HttpRoute("shop.example.com", 8080), manifest.Http);
        Assert.True(manifest.Exclusive);
    }

    [Fact]
    public void OnlyImageIsRequiredAndDefaultsApply()
    {
        var manifest = ManifestParser.Parse("""{"image":"nginx"}""");

        Assert.Equal(1, manifest.Scale);
        Assert.Empty(manifest.Services);
        Assert.Null(manifest.Command);
        Assert.False(manifest.Exclusive);
    }

    [Theory]
    [InlineData("0", 0)]
    [InlineData("1000", 1000)]
    [InlineData("-0", 0)]
    public void ScaleBoundsAreAccepted(string scale, int expected) =>
        Assert.Equal(expected, ManifestParser.Parse(ManifestAssert.With($"\"scale\": {scale}")).Scale);

    [Theory]
    [InlineData(1)]
    [InlineData(65535)]
    public void PortBoundsAreAccepted(int port)
    {
        var manifest = ManifestParser.Parse(ManifestAssert.With(
            $$$"""
            "services": {"a": {{{port}}}, "b": {"port": {{{port}}}}}, "http": {"host": "a.b", "port": {{{port}}}}
            """));

        Assert.Equal(port, manifest.Services["a"].Port);
        Assert.Equal(port, manifest.Services["b"].Port);
        Assert.Equal(port, manifest.Http!.Port);
    }

    [Fact]
    public void NullCommandMeansAbsent() =>
        Assert.Null(ManifestParser.Parse(ManifestAssert.With("\"command\": null")).Command);

    [Fact]
    public void CommandArgumentsMayBeEmptyStrings() =>
        Assert.Equal(new[] { "echo", "" }, ManifestParser.Parse(ManifestAssert.With("""
            "command": ["echo", ""]
            """)).Command);

    [Fact]
    public void EmptyCollectionsAreAccepted()
    {
        var manifest = ManifestParser.Parse(ManifestAssert.With("""
            "services": {}, "links": [], "env": {}, "exclusive": false
            """));

        Assert.Empty(manifest.Services);
        Assert.Empty(manifest.Links);
        Assert.Empty(manifest.Env);
    }

    [Theory]
    [InlineData("a")]
    [InlineData("shop.example.com")]
    [InlineData("x-1.y-2.example")]
    [InlineData("0123456789012345678901234567890123456789012345678901234567890ab.example.com")]
    public void HttpHostsAreAccepted(string host) =>
        Assert.Equal(host, ManifestParser.Parse(ManifestAssert.With($$"""
            "services": {"web": 80}, "http": {"host": "{{host}}", "port": 80}
            """)).Http!.Host);

    [Theory]
    [InlineData("PATH")]
    [InlineData("_private")]
    [InlineData("a1_B2")]
    [InlineData("Service_x")]
    [InlineData("DOKKAA")]
    public void EnvNamesAreAccepted(string name) =>
        Assert.Equal("v", ManifestParser.Parse(ManifestAssert.With($$"""
            "env": {"{{name}}": "v"}
            """)).Env[name]);

    [Fact]
    public void EnvValuesKeepNewlinesAndUnicode()
    {
        var manifest = ManifestParser.Parse(ManifestAssert.With("""
            "env": {"MOTD": "h\u00e9llo\nw\u00f6rld \ud83d\ude00"}
            """));

        Assert.Equal("héllo\nwörld 😀", manifest.Env["MOTD"]);
    }

    [Fact]
    public void LinksToOtherAppsAreAccepted() =>
        Assert.Equal(
            new[] { "db", "db.other-app", "cache-1.a1" },
            ManifestParser.Parse(ManifestAssert.With("""
                "links": ["db", "db.other-app", "cache-1.a1"]
                """)).Links);

    [Fact]
    public void ParsedCollectionsCannotBeChangedThroughACast()
    {
        var manifest = ManifestParser.Parse(SeedManifests.Full);
        var empty = ManifestParser.Parse("""{"image":"a"}""");

        Assert.True(((ICollection<KeyValuePair<string, ServicePort>>)manifest.Services).IsReadOnly);
        Assert.True(((ICollection<KeyValuePair<string, string>>)manifest.Env).IsReadOnly);
        Assert.True(((ICollection<string>)manifest.Links).IsReadOnly);
        Assert.True(((ICollection<string>)manifest.Command!).IsReadOnly);
        Assert.True(((ICollection<KeyValuePair<string, ServicePort>>)empty.Services).IsReadOnly);
        Assert.True(((ICollection<KeyValuePair<string, string>>)empty.Env).IsReadOnly);
    }

    [Fact]
    public void JsonElementOverloadGivesTheSameManifest()
    {
        using var document = JsonDocument.Parse(SeedManifests.Full);

        Assert.Equal(ManifestParser.Parse(SeedManifests.Full), ManifestParser.Parse(document.RootElement));
    }

    [Fact]
    public void LeadingByteOrderMarkIsIgnored() =>
        Assert.Equal("nginx", ManifestParser.Parse("\uFEFF{\"image\":\"nginx\"}").Image);

    [Fact]
    public void TryParseReturnsTheManifestAndNoErrors()
    {
        Assert.True(ManifestParser.TryParse(SeedManifests.Nginx, out var manifest, out var errors));
        Assert.Equal("dockerfile/nginx", manifest.Image);
        Assert.Empty(errors);
    }

    [Fact]
    public void TryParseReturnsAllErrorsWithoutThrowing()
    {
        Assert.False(ManifestParser.TryParse("""{"scale": -1, "foo": 1}""", out var manifest, out var errors));
        Assert.Null(manifest);
        Assert.Equal(new[] { "$.scale", "$.foo", "$.image" }, errors.Select(e => e.Path));
    }
}
