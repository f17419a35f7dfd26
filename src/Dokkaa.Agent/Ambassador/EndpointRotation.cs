using Dokkaa.Core.Discovery;

namespace Dokkaa.Agent.Ambassador;

/// <summary>
/// The order in which the ambassador tries endpoints for one connection: instances on this host first
/// (no extra hop), each group rotated round robin so connections spread over instances.
/// </summary>
public sealed class EndpointRotation
{
    private int _next;

    public IReadOnlyList<ServiceEndpoint> Order(IReadOnlyList<ServiceEndpoint> endpoints, string localHost)
    {
        if (endpoints.Count == 0)
            return endpoints;
        var start = Interlocked.Increment(ref _next);
        var local = endpoints.Where(e => e.Host == localHost).ToList();
        var remote = endpoints.Where(e => e.Host != localHost).ToList();
        return Rotate(local, start).Concat(Rotate(remote, start)).ToList();
    }

    private static IEnumerable<ServiceEndpoint> Rotate(List<ServiceEndpoint> list, int start)
    {
        if (list.Count == 0)
            yield break;
        var offset = (int)((uint)start % (uint)list.Count);
        for (var i = 0; i < list.Count; i++)
            yield return list[(offset + i) % list.Count];
    }
}
