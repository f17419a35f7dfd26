using System.Diagnostics;
using Dokkaa.Agent.Containers;
using Dokkaa.Core.Cluster;
using Dokkaa.Testing;

namespace Dokkaa.Cluster.Tests.Support;

/// <summary>A Dokkaa container as a host's own Docker daemon reports it.</summary>
public sealed record RealContainer(string Host, string Id, string Name, InstanceId Instance, string State, string Hash)
{
    public bool Running => State == "running";

    public override string ToString() => $"{Instance}@{Host}:{Name}({State})";
}

/// <summary>
/// One manifest as the cluster sees it (claims in etcd) and as it is (containers in each live host's daemon).
/// <see cref="Problems"/> lists every way it differs from "exactly scale instances, each running once, where its
/// claim says"; empty means converged.
/// </summary>
public sealed record Census(ManifestId Manifest, int Scale, IReadOnlyList<InstanceClaim> Claims, IReadOnlyList<RealContainer> Containers, IReadOnlyList<string> Problems)
{
    public bool Converged => Problems.Count == 0;

    public IReadOnlyList<RealContainer> Running => Containers.Where(c => c.Running).ToList();

    /// <summary>Running containers per host, every host listed (0 included), in host order.</summary>
    public IReadOnlyDictionary<string, int> RunningPerHost(IEnumerable<string> hosts) =>
        hosts.ToDictionary(h => h, h => Running.Count(c => c.Host == h), StringComparer.Ordinal);

    public override string ToString() =>
        $"{Manifest}: {Claims.Count} claims [{string.Join(", ", Claims.Select(c => $"{c.Id.Instance}@{c.Record.Host}:{c.Record.State}"))}], " +
        $"{Running.Count} running [{string.Join(", ", Running)}]" + (Problems.Count == 0 ? "" : $"; problems: {string.Join("; ", Problems)}");
}

/// <summary>Reads claims from etcd and containers from every host's own dockerd (over its socket, from the machine's namespace).</summary>
public sealed class ClusterProbe
{
    private readonly ClusterFixture _cluster;

    public ClusterProbe(ClusterFixture cluster) => _cluster = cluster;

    /// <summary>Dokkaa's containers on the given hosts (all states), optionally of one app and name; the hosts are asked in parallel.</summary>
    public async Task<IReadOnlyList<RealContainer>> ContainersAsync(IEnumerable<string> hosts, string? app = null, string? name = null)
    {
        var labels = new Dictionary<string, string?> { [ContainerNames.HostLabel] = null };
        if (app is not null)
            labels[ContainerNames.AppLabel] = app;
        if (name is not null)
            labels[ContainerNames.NameLabel] = name;
        var lists = await Task.WhenAll(hosts.Select(async host =>
        {
            var list = await _cluster.Docker(host).ListContainersAsync(labels);
            return list.Select(c => new RealContainer(
                host, c.Id, c.Name.TrimStart('/'),
                ContainerSpecFactory.InstanceOf(c.Labels) ?? throw new InvalidOperationException($"{c.Name} on {host} has no instance labels"),
                c.State, c.Labels.GetValueOrDefault(ContainerNames.ManifestHashLabel) ?? ""));
        }));
        return lists.SelectMany(l => l).ToList();
    }

    /// <summary>
    /// Claims and containers of one manifest. <paramref name="liveHosts"/> are the hosts whose daemons are asked
    /// (a killed host's daemon is gone); with <paramref name="noLeftovers"/>, a stopped container on a live host is
    /// a problem too (a stale copy that was not removed).
    /// </summary>
    public async Task<Census> CensusAsync(string app, string name, int scale, IEnumerable<string> liveHosts, bool noLeftovers = false)
    {
        var live = liveHosts.ToList();
        var state = await _cluster.Ops.LoadStateAsync();
        return CensusOf(state, await ContainersAsync(live, app, name), app, name, scale, live, noLeftovers);
    }

    /// <summary>The census of many manifests of one app from one read of etcd and one list per host.</summary>
    public async Task<IReadOnlyList<Census>> CensusAllAsync(string app, IEnumerable<(string Name, int Scale)> manifests, IEnumerable<string> liveHosts, bool noLeftovers = false)
    {
        var live = liveHosts.ToList();
        var state = await _cluster.Ops.LoadStateAsync();
        var containers = await ContainersAsync(live, app);
        return manifests.Select(m => CensusOf(state, containers.Where(c => c.Instance.Name == m.Name).ToList(), app, m.Name, m.Scale, live, noLeftovers)).ToList();
    }

    private static Census CensusOf(ClusterState state, IReadOnlyList<RealContainer> containers, string app, string name, int scale, IReadOnlyList<string> live, bool noLeftovers)
    {
        var id = new ManifestId(app, name);
        var claims = state.ClaimsOf(id).OrderBy(c => c.Id.Instance).ToList();
        var problems = new List<string>();
        if (claims.Count != scale)
            problems.Add($"{claims.Count} claims, not {scale}");
        foreach (var claim in claims)
        {
            var where = $"claim {claim.Id.Instance} on {claim.Record.Host}";
            if (claim.Id.Instance > scale)
                problems.Add($"{where} is above scale {scale}");
            if (claim.Record.State != InstanceState.Running)
                problems.Add($"{where} is {claim.Record.State}");
            if (!live.Contains(claim.Record.Host))
                problems.Add($"{where}: not a live host");
            else if (!containers.Any(c => c.Running && c.Host == claim.Record.Host && c.Id == claim.Record.ContainerId))
                problems.Add($"{where}: its container {claim.Record.ContainerId?[..12]} is not running there");
        }

        var running = containers.Where(c => c.Running).ToList();
        if (running.Count != scale)
            problems.Add($"{running.Count} containers running, not {scale}");
        foreach (var twice in running.GroupBy(c => c.Instance.Instance).Where(g => g.Count() > 1))
            problems.Add($"instance {twice.Key} runs {twice.Count()} times ({string.Join(", ", twice)})");
        foreach (var container in containers)
        {
            var claim = claims.FirstOrDefault(c => c.Id == container.Instance);
            var claimed = claim is not null && claim.Record.Host == container.Host && claim.Record.ContainerId == container.Id;
            if (container.Running && !claimed)
                problems.Add($"{container} runs without a claim naming it");
            else if (!container.Running && noLeftovers)
                problems.Add($"{container} is left over");
        }

        return new Census(id, scale, claims, containers, problems);
    }

    /// <summary>Polls until the manifest has converged on the live hosts; returns the census and how long it took.</summary>
    public async Task<(Census Census, TimeSpan Took)> WaitConvergedAsync(string app, string name, int scale, IEnumerable<string> liveHosts, TimeSpan timeout, bool noLeftovers = false, TimeSpan? interval = null)
    {
        var live = liveHosts.ToList();
        var stopwatch = Stopwatch.StartNew();
        var census = await Poll.UntilAsync(() => CensusAsync(app, name, scale, live, noLeftovers), c => c.Converged,
            $"{app}/{name} to run exactly {scale} instances on {string.Join(", ", live)}", timeout, interval ?? TimeSpan.FromMilliseconds(100));
        return (census, stopwatch.Elapsed);
    }

    /// <summary>
    /// Containers on the given hosts that no claim explains: the claim for their instance is missing, names
    /// another host, or names another container.
    /// </summary>
    public async Task<IReadOnlyList<RealContainer>> OrphansAsync(IEnumerable<string> hosts)
    {
        var state = await _cluster.Ops.LoadStateAsync();
        var containers = await ContainersAsync(hosts);
        return containers.Where(c => state.Claim(c.Instance) is not { } claim || claim.Record.Host != c.Host || claim.Record.ContainerId != c.Id).ToList();
    }

    /// <summary>Deletes a manifest and waits until no claim and no container of it is left on the live hosts.</summary>
    public async Task RemoveAsync(string app, string name, IEnumerable<string> liveHosts, TimeSpan? timeout = null)
    {
        var live = liveHosts.ToList();
        await _cluster.Ops.RemoveManifestAsync(app, name);
        await Poll.UntilAsync(async () =>
        {
            var state = await _cluster.Ops.LoadStateAsync();
            var claims = state.ClaimsOf(new ManifestId(app, name)).Count();
            var containers = (await ContainersAsync(live, app, name)).Count;
            return (claims, containers);
        }, left => left.claims == 0 && left.containers == 0, $"{app}/{name} to be gone from etcd and from {string.Join(", ", live)}", timeout ?? TimeSpan.FromSeconds(60));
    }

    /// <summary>Container id and start time of every container on a host (what an agent restart must not change).</summary>
    public async Task<IReadOnlyDictionary<string, (string Name, DateTimeOffset? StartedAt, bool Running)>> StartTimesAsync(string host)
    {
        var docker = _cluster.Docker(host);
        var list = await docker.ListContainersAsync(new Dictionary<string, string?> { [ContainerNames.HostLabel] = null });
        var result = new Dictionary<string, (string, DateTimeOffset?, bool)>(StringComparer.Ordinal);
        foreach (var container in list)
        {
            var details = await docker.InspectContainerAsync(container.Id) ?? throw new InvalidOperationException($"{container.Name} vanished");
            result[container.Id] = (details.Name.TrimStart('/'), details.StartedAt, details.Running);
        }

        return result;
    }
}
