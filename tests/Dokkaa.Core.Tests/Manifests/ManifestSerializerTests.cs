using Dokkaa.Core.Manifests;
using Xunit;

namespace Dokkaa.Core.Tests.Manifests;

public sealed class ManifestSerializerTests
{
    public static TheoryData<string> Manifests => new()
    {
        SeedManifests.Nginx,
        SeedManifests.Crawler,
        SeedManifests.Full,
        """{"image":"a","scale":0}""",
        """{"image":"a","env":{"Q":"\"quoted\" \\ back\nslash\u0001 \u00e9 \ud83d\ude00 \u2028"}}""",
    };

    [Fact]
    public void SeedNginxCanonicalFormIsExact() =>
        Assert.Equal(
            """{"image":"dockerfile/nginx","scale":1,"services":{"nginx":{"port":80,"protocol":"tcp"}}}""",
            ManifestSerializer.ToCanonicalJson(ManifestParser.Parse(SeedManifests.Nginx)));

    [Fact]
    public void FullCanonicalFormHasFixedKeyOrderAndSortedEntries() =>
        Assert.Equal(
            "{\"image\":\"registry.example.com:5000/shop/web:1.2\",\"scale\":3,"
            + "\"services\":{\"dns\":{\"port\":53,\"protocol\":\"udp\"},\"metrics\":{\"port\":9100,\"protocol\":\"tcp\"},"
            + "\"web\":{\"port\":8080,\"protocol\":\"tcp\",\"role\":\"web\"}},"
            + "\"command\":[\"/app/web\",\"--listen\",\":8080\"],\"links\":[\"cache.shared\",\"db\"],"
            + "\"env\":{\"MODE\":\"production\",\"_X1\":\"\"},\"http\":{\"host\":\"shop.example.com\",\"port\":8080},"
            + "\"exclusive\":true}",
            ManifestSerializer.ToCanonicalJson(ManifestParser.Parse(SeedManifests.Full)));

    [Fact]
    public void DefaultsAndEmptiesAreOmittedButScaleIsKept() =>
        Assert.Equal(
            """{"image":"a","scale":1}""",
            ManifestSerializer.ToCanonicalJson(ManifestParser.Parse(
                """{"image":"a","services":{},"command":null,"links":[],"env":{},"exclusive":false}""")));

    [Fact]
    public void OnlyWhatJsonRequiresIsEscaped() =>
        Assert.Equal(
            "{\"image\":\"a\",\"scale\":1,\"env\":{\"Q\":\"<'&+> \\\"q\\\" \\\\ \\n\\t\\u0001\\u001f é 😀\"}}",
            ManifestSerializer.ToCanonicalJson(ManifestParser.Parse(
                """{"image":"a","env":{"Q":"<'&+> \"q\" \\ \n\t\u0001\u001f \u00e9 \ud83d\ude00"}}""")));

    [Theory]
    [MemberData(nameof(Manifests))]
    public void CanonicalFormParsesBackToAnEqualManifest(string json)
    {
        var manifest = ManifestParser.Parse(json);
        var canonical = ManifestSerializer.ToCanonicalJson(manifest);
        var reparsed = ManifestParser.Parse(canonical);

        Assert.Equal(manifest, reparsed);
        Assert.Equal(canonical, ManifestSerializer.ToCanonicalJson(reparsed));
        Assert.Equal(ManifestSerializer.Hash(manifest), ManifestSerializer.Hash(reparsed));
    }

    [Theory]
    [MemberData(nameof(Manifests))]
    public void IndentedFormParsesBackToAnEqualManifest(string json)
    {
        var manifest = ManifestParser.Parse(json);
        var indented = ManifestSerializer.ToJson(manifest, indented: true);

        Assert.Contains('\n', indented);
        Assert.Equal(manifest, ManifestParser.Parse(indented));
        Assert.Equal(ManifestSerializer.ToCanonicalJson(manifest), ManifestSerializer.ToJson(manifest, indented: false));
    }

    [Fact]
    public void IndentedFormIsReadable() =>
        Assert.Equal(
            """
            {
              "image": "dockerfile/nginx",
              "scale": 1,
              "services": {
                "nginx": {
                  "port": 80,
                  "protocol": "tcp"
                }
              },
              "links": [
                "db"
              ]
            }
            """,
            ManifestSerializer.ToJson(
                ManifestParser.Parse(SeedManifests.Nginx) with { Links = new[] { "db" } }, indented: true));

    [Fact]
    public void HashIsSixteenLowercaseHexDigitsOfTheCanonicalSha256()
    {
        var manifest = ManifestParser.Parse(SeedManifests.Nginx);
        var hash = ManifestSerializer.Hash(manifest);

        Assert.Matches("^[0-9a-f]{16}$", hash);
        var full = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(
            System.Text.Encoding.UTF8.GetBytes(ManifestSerializer.ToCanonicalJson(manifest)))).ToLowerInvariant();
        Assert.Equal(full[..16], hash);
    }

    [Fact]
    public void HashIsPinned()
    {
        // Containers carry this hash as a label; if it changes, every agent replaces every container on upgrade.
        Assert.Equal("b2a9fd8a2d1834b0", ManifestSerializer.Hash(ManifestParser.Parse(SeedManifests.Nginx)));
    }

    [Fact]
    public void HashIgnoresWhitespaceKeyOrderAndServiceForm()
    {
        var reordered = """
            {"services":{"nginx":{"protocol":"tcp","port":80}},
                 "scale":1,    "image":"dockerfile/nginx"}
            """;

        Assert.Equal(Hash(SeedManifests.Nginx), Hash(reordered));
        Assert.Equal(ManifestParser.Parse(SeedManifests.Nginx), ManifestParser.Parse(reordered));
    }

    [Fact]
    public void HashIgnoresDefaultsWrittenOutAndLinkOrderAndEnvOrder()
    {
        Assert.Equal(
            Hash("""{"image":"a","links":["x","y"],"env":{"A":"1","B":"2"}}"""),
            Hash("""{"image":"a","scale":1,"links":["y","x"],"env":{"B":"2","A":"1"},"exclusive":false,"command":null,"services":{}}"""));
    }

    [Theory]
    [InlineData("""{"image":"dockerfile/nginx:1","scale":1,"services":{"nginx":80}}""")]
    [InlineData("""{"image":"dockerfile/nginx","scale":2,"services":{"nginx":80}}""")]
    [InlineData("""{"image":"dockerfile/nginx","scale":0,"services":{"nginx":80}}""")]
    [InlineData("""{"image":"dockerfile/nginx","scale":1,"services":{"nginx":81}}""")]
    [InlineData("""{"image":"dockerfile/nginx","scale":1,"services":{"nginx":{"port":80,"protocol":"udp"}}}""")]
    [InlineData("""{"image":"dockerfile/nginx","scale":1,"services":{"nginx":{"port":80,"role":"web"}}}""")]
    [InlineData("""{"image":"dockerfile/nginx","scale":1,"services":{"nginx":80},"env":{"A":"1"}}""")]
    [InlineData("""{"image":"dockerfile/nginx","scale":1,"services":{"nginx":80},"command":["nginx"]}""")]
    [InlineData("""{"image":"dockerfile/nginx","scale":1,"services":{"nginx":80},"links":["db"]}""")]
    [InlineData("""{"image":"dockerfile/nginx","scale":1,"services":{"nginx":80},"http":{"host":"a","port":80}}""")]
    [InlineData("""{"image":"dockerfile/nginx","scale":1,"services":{"nginx":80},"exclusive":true}""")]
    public void HashChangesWithAnyMeaningfulChange(string changed)
    {
        Assert.NotEqual(Hash(SeedManifests.Nginx), Hash(changed));
        Assert.NotEqual(ManifestParser.Parse(SeedManifests.Nginx), ManifestParser.Parse(changed));
    }

    [Fact]
    public void HashChangesWhenAnEnvValueChanges() =>
        Assert.NotEqual(Hash("""{"image":"a","env":{"A":"1"}}"""), Hash("""{"image":"a","env":{"A":"2"}}"""));

    [Fact]
    public void CommandOrderMatters() =>
        Assert.NotEqual(Hash("""{"image":"a","command":["x","y"]}"""), Hash("""{"image":"a","command":["y","x"]}"""));

    [Fact]
    public void ManifestsBuiltInCodeCompareByValue()
    {
        var a = new Manifest
        {
            Image = "nginx",
            Services = new Dictionary<string, ServicePort> { ["b"] = new(81), ["a"] = new(80) },
            Env = new Dictionary<string, string> { ["X"] = "1" },
            Links = new List<string> { "q", "p" },
        };
        var b = new Manifest
        {
            Image = "nginx",
            Services = new Dictionary<string, ServicePort> { ["a"] = new(80, "tcp"), ["b"] = new(81) },
            Env = new Dictionary<string, string> { ["X"] = "1" },
            Links = new[] { "p", "q" },
        };

        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.True(a == b);
        Assert.NotEqual(a, b with { Scale = 2 });
        Assert.False(a.Equals(null));
    }

    [Fact]
    public void ValidateAcceptsAValidManifestBuiltInCode() =>
        ManifestParser.Validate(ManifestParser.Parse(SeedManifests.Full) with { Scale = 1000 });

    [Fact]
    public void ValidateReportsBrokenManifestsBuiltInCodeWithPaths()
    {
        var broken = ManifestParser.Parse(SeedManifests.Full) with
        {
            Scale = -5,
            Command = Array.Empty<string>(),
            Http = new HttpRoute("a;}", 80),
            Services = new Dictionary<string, ServicePort> { ["web"] = new(70000, "sctp") },
        };

        var exception = Assert.Throws<ManifestValidationException>(() => ManifestParser.Validate(broken));

        Assert.Equal(
            new[] { "$.scale", "$.services.web.port", "$.services.web.protocol", "$.command", "$.http.host" },
            exception.Errors.Select(e => e.Path));
    }

    [Fact]
    public void SerializerCopesWithNullsInManifestsBuiltInCode()
    {
        var broken = new Manifest
        {
            Image = null!,
            Services = null!,
            Links = new string[] { null!, "a" },
            Env = null!,
        };

        Assert.Equal("""{"image":null,"scale":1,"links":[null,"a"]}""", ManifestSerializer.ToCanonicalJson(broken));
        Assert.Throws<ManifestValidationException>(() => ManifestParser.Validate(broken));
    }

    [Fact]
    public void UnpairedSurrogatesBuiltInCodeAreEscapedNotMangled()
    {
        var manifest = new Manifest { Image = "a", Env = new Dictionary<string, string> { ["A"] = "x\ud800y" } };

        Assert.Equal("""{"image":"a","scale":1,"env":{"A":"x\ud800y"}}""", ManifestSerializer.ToCanonicalJson(manifest));
        ManifestAssert.SingleError(ManifestSerializer.ToCanonicalJson(manifest), "$.env.A", "unpaired surrogate");
    }

    private static string Hash(string json) => ManifestSerializer.Hash(ManifestParser.Parse(json));
}
