using Dokkaa.Core.Cluster;

namespace Dokkaa.Core.Discovery;

/// <summary>Answers "where does service S of app A run?" from a cluster snapshot.</summary>
public static class ServiceResolver
{
    /// <summary>
    /// Parses a link as written in a manifest: <c>nginx</c> (same app) or <c>nginx.shop</c> (app shop).
    /// </summary>
    public static (string Service, string App) ParseLink(string link, string defaultApp)
    {
        var dot = link.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? (link, defaultApp) : (link[..dot], link[(dot + 1)..]);
    }

    /// <summary>
    /// Every running instance of the manifest that serves <paramref name="service"/> in <paramref name="app"/>
    /// (in every app when null), ordered by app, name and instance. Within an app only the owner of the service
    /// name counts (<see cref="ServiceOwners"/>), so links, DNS and <c>dokkaa resolve</c> agree on it.
    /// </summary>
    public static IReadOnlyList<ServiceEndpoint> Resolve(ClusterState state, string service, string? app = null)
    {
        var owners = ServiceOwners.Of(state);
        var endpoints = new List<ServiceEndpoint>();
        foreach (var (id, entry) in state.Manifests)
        {
            if ((app is not null && id.App != app) || !owners.Owns(id, service))
                continue;
            var manifest = entry.Effective;
            if (manifest is null || !manifest.Services.TryGetValue(service, out var port))
                continue;

            var portKey = $"{port.Port}/{port.Protocol}";
            foreach (var claim in ServingInstances.Of(state, id, manifest))
            {
                if (!claim.Record.Ports.TryGetValue(portKey, out var hostPort))
                    continue;
                endpoints.Add(new ServiceEndpoint(service, id.App, id.Name, claim.Id.Instance, claim.Record.Host, claim.Record.Address, hostPort, port.Port, port.Protocol));
            }
        }

        return endpoints;
    }
}
