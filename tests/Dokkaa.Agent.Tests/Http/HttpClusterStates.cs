using Dokkaa.Core.Cluster;
using Dokkaa.Core.Manifests;
using Dokkaa.Testing;

namespace Dokkaa.Agent.Tests.Http;

/// <summary>
/// What the HTTP routing and fence tests put into a <see cref="ClusterStateBuilder"/>: manifests with an HTTP
/// route and claims with a published port. Placed directly (not parsed), so hostile values reach the renderer.
/// </summary>
internal static class HttpClusterStates
{
    public static ClusterStateBuilder HttpManifest(this ClusterStateBuilder builder, string app, string name, string? host, int port = 9000, int scale = 3, bool exclusive = false, long? createRevision = null) =>
        builder.PlaceManifest(app, name, new Manifest { Image = "shop/web:1", Scale = scale, Http = host is null ? null : new HttpRoute(host, port), Exclusive = exclusive }, createRevision);

    public static ClusterStateBuilder HttpInstance(this ClusterStateBuilder builder, string app, string name, int instance, string address, int? hostPort, InstanceState state = InstanceState.Running, string host = "h1", int httpPort = 9000, long lease = 1, string manifestHash = "hash")
    {
        var ports = new Dictionary<string, int>();
        if (hostPort is { } p)
            ports[$"{httpPort}/tcp"] = p;
        return builder.PlaceClaim(app, name, instance, new InstanceRecord { Host = host, Address = address, ManifestHash = manifestHash, State = state, Ports = ports }, lease);
    }

    /// <summary>shop/web on <paramref name="host"/> with one running instance per backend, on loopback.</summary>
    public static ClusterStateBuilder Shop(string host, params TestHttpBackend[] backends)
    {
        var cluster = new ClusterStateBuilder().HttpManifest("shop", "web", host, scale: Math.Max(1, backends.Length));
        for (var i = 0; i < backends.Length; i++)
            cluster.HttpInstance("shop", "web", i + 1, "127.0.0.1", backends[i].Port);
        return cluster;
    }
}
