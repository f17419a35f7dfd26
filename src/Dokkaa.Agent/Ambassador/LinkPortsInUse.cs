using Dokkaa.Agent.Containers;
using Dokkaa.Core.Cluster;
using Dokkaa.Core.Discovery;

namespace Dokkaa.Agent.Ambassador;

/// <summary>
/// The links and ambassador ports that this host's containers point at, running or stopped (a stopped one is
/// started again with the same environment): what the ambassador must keep. Everything else can go back to the
/// range (<see cref="AmbassadorServer.ReleaseUnusedAsync"/>).
/// </summary>
public sealed class LinkPortsInUse
{
    private readonly HashSet<int> _ports = new();
    private readonly HashSet<string> _links = new(StringComparer.Ordinal);

    private LinkPortsInUse()
    {
    }

    public static LinkPortsInUse Of(LocalContainers local, ClusterState state)
    {
        var use = new LinkPortsInUse();
        foreach (var id in local.Instances)
        {
            foreach (var container in local.Of(id))
            {
                if (ContainerSpecFactory.AmbassadorPortsOf(container.Labels) is { } ports)
                {
                    use._ports.UnionWith(ports);
                    continue;
                }

                // Created before containers named their ports in a label: its links are those of its manifest.
                if (!state.Manifests.TryGetValue(id.Manifest, out var entry) || entry.Effective is not { } manifest)
                    continue;
                foreach (var link in manifest.Links)
                {
                    var (service, app) = ServiceResolver.ParseLink(link, id.App);
                    use._links.Add(AmbassadorPortBook.Key(service, app));
                }
            }
        }

        return use;
    }

    /// <summary>True when a container on this host points at <paramref name="port"/>, or uses <paramref name="link"/> (<c>service.app</c>).</summary>
    public bool Uses(string link, int port) => _ports.Contains(port) || _links.Contains(link);
}
