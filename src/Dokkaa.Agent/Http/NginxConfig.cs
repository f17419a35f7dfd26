using Dokkaa.Core.Cluster;

namespace Dokkaa.Agent.Http;

/// <summary>
/// One rendering of the cluster for nginx: the whole nginx.conf, its hash (which nginx itself reports on
/// the control socket, so the agent knows when a reload has taken effect), the routes it contains and
/// what had to be left out.
/// </summary>
public sealed record NginxConfig(string Text, string Hash, IReadOnlyList<HttpRouteSummary> Routes, IReadOnlyList<HttpRouteProblem> Problems);

/// <summary>
/// One host name nginx routes, to the instances of <see cref="Manifest"/>, the manifest that owns the name
/// (<see cref="HttpHostOwners"/>). <see cref="Upstreams"/> is empty when no instance runs: nginx answers 503 for the host.
/// </summary>
public sealed record HttpRouteSummary(string Host, ManifestId Manifest, IReadOnlyList<string> Upstreams);

/// <summary>Something of a manifest that was not written into nginx.conf, and why.</summary>
public sealed record HttpRouteProblem(ManifestId Manifest, string Message)
{
    public override string ToString() => $"{Manifest}: {Message}";
}
