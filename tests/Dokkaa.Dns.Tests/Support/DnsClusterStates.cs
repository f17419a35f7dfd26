using Dokkaa.Core.Cluster;
using Dokkaa.Core.Manifests;
using Dokkaa.Testing;

namespace Dokkaa.Dns.Tests.Support;

/// <summary>
/// What the DNS tests put into a <see cref="ClusterStateBuilder"/>: manifests with services and claims with
/// addresses and published ports. Placed directly, so that names and ports the parser would refuse reach the zone.
/// </summary>
public static class DnsClusterStates
{
    /// <summary>A manifest; each one is created after the ones before it, as etcd would number them.</summary>
    public static ClusterStateBuilder Manifest(this ClusterStateBuilder builder, string app, string name, int scale, params (string Service, int Port, string Protocol)[] services) =>
        builder.PlaceManifest(app, name, new Manifest
        {
            Image = "dockerfile/nginx",
            Scale = scale,
            Services = services.ToDictionary(s => s.Service, s => new ServicePort(s.Port, s.Protocol), StringComparer.Ordinal),
        });

    public static ClusterStateBuilder Instance(this ClusterStateBuilder builder, string app, string name, int instance, string address, InstanceState state = InstanceState.Running, params (string Key, int HostPort)[] ports) =>
        builder.PlaceClaim(app, name, instance, new InstanceRecord
        {
            Host = "host-" + address,
            Address = address,
            ManifestHash = "hash",
            State = state,
            Ports = ports.ToDictionary(p => p.Key, p => p.HostPort, StringComparer.Ordinal),
        });
}
