using Dokkaa.Core.Cluster;
using Dokkaa.Core.Manifests;

namespace Dokkaa.Core.Operations;

/// <summary>A manifest as stored, with its app and name (what <c>Get-DokkaaManifest</c> and <c>dokkaa get</c> show).</summary>
public sealed record ManifestInfo(string App, string Name, Manifest? Manifest, string Raw, IReadOnlyList<ManifestError> Errors, long Revision)
{
    public bool IsValid => Manifest is not null;
    public string? Hash => Manifest is null ? null : ManifestSerializer.Hash(Manifest);

    /// <summary>
    /// The hash the containers of this version carry (<see cref="ContainerInfo.ManifestHash"/>): an
    /// instance whose hash differs runs an outdated version. Scale, constraints, exclusive and http do not
    /// enter it, since changing them replaces no container.
    /// </summary>
    public string? ContainerHash => Manifest is null ? null : ManifestSerializer.ContainerHash(Manifest);
}

public enum ManifestChangeKind { Created, Updated, Unchanged }

/// <summary>The outcome of writing a manifest.</summary>
public sealed record ManifestChange(string App, string Name, ManifestChangeKind Kind, Manifest Manifest, Manifest? Previous, long Revision);

/// <summary>One instance as the cluster knows it (<c>Get-DokkaaContainer</c>, <c>dokkaa ps</c>).</summary>
public sealed record ContainerInfo(
    string App,
    string Name,
    int Instance,
    string ContainerName,
    string Host,
    string Address,
    InstanceState State,
    string? ContainerId,
    string ManifestHash,
    IReadOnlyDictionary<string, int> Ports,
    string? Error,
    int Restarts,
    DateTimeOffset UpdatedAt);

/// <summary>A live host (<c>Get-DokkaaHost</c>, <c>dokkaa hosts</c>).</summary>
public sealed record HostInfo(string Name, string Address, string AgentVersion, DateTimeOffset StartedAt, int Capacity, bool Draining, int Instances, IReadOnlyDictionary<string, string> Labels);

/// <summary>What the agents report for a manifest (<c>dokkaa status</c>).</summary>
public sealed record ManifestStatusInfo(string App, string Name, int Desired, int Running, int Pending, int Outdated, IReadOnlyList<string> Errors, long ObservedRevision, long ManifestRevision)
{
    /// <summary>The agents have seen the current manifest and run all of it.</summary>
    public bool Converged => ObservedRevision >= ManifestRevision && Running == Desired && Pending == 0 && Outdated == 0;
}

/// <summary>A key under /apps/ that agents ignore, and why.</summary>
public sealed record IgnoredKey(string Key, string Reason);
