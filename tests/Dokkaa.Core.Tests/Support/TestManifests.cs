using Dokkaa.Core.Manifests;

namespace Dokkaa.Core.Tests.Support;

/// <summary>Small valid manifests for tests.</summary>
internal static class TestManifests
{
    public static Manifest Web(int scale = 1, int port = 80, params string[] links) => new()
    {
        Image = "dockerfile/nginx",
        Scale = scale,
        Services = new Dictionary<string, ServicePort> { ["nginx"] = new(port) },
        Links = links,
    };

    public static Manifest Plain(int scale = 1, params string[] links) => new()
    {
        Image = "dokkaa/busybox:test",
        Scale = scale,
        Links = links,
    };
}
