using Dokkaa.Core.Manifests;
using Xunit;

namespace Dokkaa.Core.Tests.Manifests;

public sealed class ConstraintsAndResourcesTests
{
    [Fact]
    public void Constraints_and_resources_are_read_and_survive_the_canonical_round_trip()
    {
        var manifest = ManifestParser.Parse("""
            {"image":"nginx","constraints":{"zone":"eu-1","ssd":"true"},"resources":{"cpus":0.25,"memory":"256m"}}
            """);

        Assert.Equal("eu-1", manifest.Constraints["zone"]);
        Assert.Equal(new ResourceRequest(250, 256L * 1024 * 1024), manifest.Resources);
        var canonical = ManifestSerializer.ToCanonicalJson(manifest);
        Assert.Equal("""{"image":"nginx","scale":1,"constraints":{"ssd":"true","zone":"eu-1"},"resources":{"cpus":0.25,"memory":268435456}}""", canonical);
        Assert.Equal(manifest, ManifestParser.Parse(canonical));
    }

    [Theory]
    [InlineData("""{"image":"nginx","resources":{"memory":268435456}}""", 0, 268435456L)]
    [InlineData("""{"image":"nginx","resources":{"memory":"1g"}}""", 0, 1073741824L)]
    [InlineData("""{"image":"nginx","resources":{"cpus":2}}""", 2000, 0L)]
    public void Resources_accept_bytes_suffixes_and_whole_cores(string json, int milliCpus, long bytes) =>
        Assert.Equal(new ResourceRequest(milliCpus, bytes), ManifestParser.Parse(json).Resources);

    [Theory]
    [InlineData("""{"image":"nginx","constraints":["zone=eu"]}""", "$.constraints")]
    [InlineData("""{"image":"nginx","constraints":{"Zone":"eu"}}""", "$.constraints.Zone")]
    [InlineData("""{"image":"nginx","constraints":{"zone":"eu 1"}}""", "$.constraints.zone")]
    [InlineData("""{"image":"nginx","constraints":{"zone":1}}""", "$.constraints.zone")]
    [InlineData("""{"image":"nginx","resources":{"cpus":0}}""", "$.resources.cpus")]
    [InlineData("""{"image":"nginx","resources":{"cpus":0.0001}}""", "$.resources.cpus")]
    [InlineData("""{"image":"nginx","resources":{"cpus":"1"}}""", "$.resources.cpus")]
    [InlineData("""{"image":"nginx","resources":{"memory":"lots"}}""", "$.resources.memory")]
    [InlineData("""{"image":"nginx","resources":{"memory":"1k"}}""", "$.resources.memory")]
    [InlineData("""{"image":"nginx","resources":{"gpus":1}}""", "$.resources.gpus")]
    public void Bad_constraints_and_resources_name_the_field(string json, string path)
    {
        var error = Assert.Throws<ManifestValidationException>(() => ManifestParser.Parse(json));

        Assert.Contains(error.Errors, e => e.Path == path);
    }

    [Fact]
    public void The_container_hash_ignores_how_many_and_where_but_not_what_runs()
    {
        var manifest = ManifestParser.Parse("""{"image":"nginx","scale":3,"services":{"web":80}}""");
        var hash = ManifestSerializer.ContainerHash(manifest);

        Assert.Equal(hash, ManifestSerializer.ContainerHash(manifest with { Scale = 1 }));
        Assert.Equal(hash, ManifestSerializer.ContainerHash(manifest with { Exclusive = true, Constraints = new Dictionary<string, string> { ["zone"] = "a" } }));
        Assert.Equal(hash, ManifestSerializer.ContainerHash(manifest with { Http = new HttpRoute("shop.example", 80) }));
        Assert.NotEqual(hash, ManifestSerializer.ContainerHash(manifest with { Image = "nginx:2" }));
        Assert.NotEqual(hash, ManifestSerializer.ContainerHash(manifest with { Env = new Dictionary<string, string> { ["A"] = "1" } }));
        Assert.NotEqual(hash, ManifestSerializer.ContainerHash(manifest with { Resources = new ResourceRequest(500, 0) }));
    }
}
