using System.Text.Json;
using Dokkaa.Core.Manifests;
using Dokkaa.Core.Manifests.Rules;
using Xunit;

namespace Dokkaa.Core.Tests.Manifests;

public sealed class ImageReferenceTests
{
    private const string Digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    [Theory]
    [InlineData("nginx")]
    [InlineData("dockerfile/nginx")]
    [InlineData("nginx:latest")]
    [InlineData("nginx:1.25.3-alpine")]
    [InlineData("nginx:_x")]
    [InlineData("nginx:Latest_2")]
    [InlineData("library/nginx@" + Digest)]
    [InlineData("nginx:1.2@" + Digest)]
    [InlineData("registry.example.com/shop/web")]
    [InlineData("registry.example.com:5000/shop/web:1.2")]
    [InlineData("localhost/web")]
    [InlineData("localhost:5000/web")]
    [InlineData("Registry.Example.com/web")]
    [InlineData("[::1]:5000/web")]
    [InlineData("[fe80::1]/web")]
    [InlineData("10.0.0.1:5000/a/b/c")]
    [InlineData("my.image")]
    [InlineData("my_image")]
    [InlineData("my__image")]
    [InlineData("my-image")]
    [InlineData("my--image")]
    [InlineData("a/b.c_d-e/f__g---h")]
    [InlineData("0")]
    public void ValidReferencesAreAccepted(string image) =>
        Assert.Equal(image, ManifestParser.Parse(WithImage(image)).Image);

    [Theory]
    [InlineData("Nginx", "must be lowercase")]
    [InlineData("shop/Web", "must be lowercase")]
    [InlineData("nginx:", "tag must be 1-128")]
    [InlineData("nginx:-x", "tag must start with")]
    [InlineData("nginx:a/b", "invalid port")]
    [InlineData("nginx:a b", "tag must not contain ' '")]
    [InlineData("nginx:a:b", "tag must not contain ':'")]
    [InlineData("nginx@sha256:0123", "digest must be")]
    [InlineData("nginx@md5:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "digest must be")]
    [InlineData("nginx@" + Digest + "@" + Digest, "digest must be")]
    [InlineData("nginx@SHA256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef", "digest must be")]
    [InlineData("@" + Digest, "repository name must not be empty")]
    [InlineData(":tag", "repository name must not be empty")]
    [InlineData("/nginx", "empty path component")]
    [InlineData("nginx/", "empty path component")]
    [InlineData("a//b", "empty path component")]
    [InlineData("-nginx", "must start and end")]
    [InlineData("nginx-", "must start and end")]
    [InlineData("ng...inx", "invalid separator")]
    [InlineData("ng___inx", "invalid separator")]
    [InlineData("ng._inx", "invalid separator")]
    [InlineData("ngi nx", "must not contain ' '")]
    [InlineData("ngi;nx", "must not contain ';'")]
    [InlineData("reg istry.com/web", "not a valid host name")]
    [InlineData("registry.com:0/web", "invalid port")]
    [InlineData("registry.com:65536/web", "invalid port")]
    [InlineData("registry.com:x/web", "invalid port")]
    [InlineData("-registry.com/web", "not a valid host name")]
    [InlineData("[::1/web", "invalid IPv6")]
    [InlineData("[1.2.3.4]/web", "invalid IPv6")]
    [InlineData("[::1]x/web", "after the IPv6")]
    [InlineData(" nginx", "must not contain ' '")]
    [InlineData("nginx\n", "must not contain '\\n'")]
    public void InvalidReferencesAreRejected(string image, string reason) =>
        ManifestAssert.SingleError(WithImage(image), "$.image", reason);

    [Fact]
    public void NameOf255CharactersIsAcceptedAnd256Rejected()
    {
        var name255 = "a/" + new string('b', 253);
        var longest = name255 + ":" + new string('t', 128) + "@sha256:" + new string('0', 64);
        Assert.Equal(longest, ManifestParser.Parse(WithImage(longest)).Image);

        ManifestAssert.SingleError(WithImage(name255 + "b"), "$.image", "at most 255");
    }

    [Fact]
    public void TagOf129CharactersIsRejected() =>
        ManifestAssert.SingleError(WithImage("nginx:" + new string('t', 129)), "$.image", "tag must be 1-128");

    private static string WithImage(string image) => $"{{\"image\": {JsonSerializer.Serialize(image)}}}";

    [Theory]
    [InlineData("dockerfile/nginx", "dockerfile/nginx", "latest")]
    [InlineData("dokkaa/busybox:test", "dokkaa/busybox", "test")]
    [InlineData("127.0.0.1:5000/app", "127.0.0.1:5000/app", "latest")]
    [InlineData("127.0.0.1:1/nope:1", "127.0.0.1:1/nope", "1")]
    [InlineData("app@sha256:abc", "app", "sha256:abc")]
    [InlineData("app:1@sha256:abc", "app:1", "sha256:abc")]
    public void References_split_into_the_repository_and_tag_docker_pulls(string image, string repository, string tag)
    {
        Assert.Equal((repository, tag), ImageReference.Split(image));
    }
}
