using Dokkaa.Core.Cluster;
using Dokkaa.Core.Manifests;

namespace Dokkaa.PowerShell.Tests.Integration;

/// <summary>
/// A stand-in for the agents: it writes host, instance and status records exactly as agents store them
/// (<see cref="ClusterJson"/>), so the reads the cmdlets make can be checked without Docker.
/// </summary>
internal static class StandInAgent
{
    /// <summary>Writes raw text where the manifest of app/name lives, as <c>etcdctl put</c> would.</summary>
    public static Task<long> PutRawManifestAsync(this CmdletEtcdFixture fixture, string app, string name, string json) => fixture.Client.PutAsync(KeyLayout.Manifest(app, name), json);

    /// <summary>A live host at <paramref name="address"/>, registered as its agent would.</summary>
    public static Task<long> PutHostAsync(this CmdletEtcdFixture fixture, string host, string address, int capacity = 0, bool draining = false, IReadOnlyDictionary<string, string>? labels = null) =>
        fixture.PutHostAsync(host, new HostRecord
        {
            Address = address,
            AgentVersion = "0.1.0",
            StartedAt = DateTimeOffset.UtcNow,
            Capacity = capacity,
            Labels = labels ?? new Dictionary<string, string>(),
            Draining = draining,
            HeartbeatAt = DateTimeOffset.UtcNow,
        });

    /// <summary>The host that claims an instance now.</summary>
    public static async Task<string> ClaimedByAsync(this CmdletEtcdFixture fixture, string app, string name, int instance) =>
        ClusterJson.TryDeserialize<InstanceRecord>((await fixture.Client.RangeAsync(KeyLayout.Instance(app, name, instance))).Kvs.Single().Value)!.Host;

    /// <summary>
    /// The agents' side of a move, until cancelled: for every evict request, the claim is rewritten as
    /// running on the host <paramref name="destination"/> picks, as the agent that took it over would.
    /// </summary>
    public static async Task RunStandInAgentAsync(this CmdletEtcdFixture fixture, Func<string, string> destination, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                foreach (var evict in (await fixture.Client.RangeAsync(KeyLayout.EvictPrefix, prefix: true, cancellationToken: cancellationToken)).Kvs)
                {
                    if (!KeyLayout.TryParseEvictKey(evict.Key, out var app, out var name, out var instance) || ClusterJson.TryDeserialize<EvictRecord>(evict.Value) is not { } request)
                        continue;
                    var key = KeyLayout.Instance(app, name, instance);
                    var claim = (await fixture.Client.RangeAsync(key, cancellationToken: cancellationToken)).Kvs.SingleOrDefault();
                    if (claim is null || ClusterJson.TryDeserialize<InstanceRecord>(claim.Value) is not { } record || record.Host != request.Host)
                        continue;
                    await fixture.Client.PutAsync(key, ClusterJson.Serialize(record with { Host = destination(request.Host), State = InstanceState.Running, UpdatedAt = DateTimeOffset.UtcNow }), cancellationToken: cancellationToken);
                }

                await Task.Delay(50, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>An instance claimed by <paramref name="host"/>, running the current manifest, with its ports published.</summary>
    public static async Task PutInstanceAsync(this CmdletEtcdFixture fixture, string app, string name, int instance, string host, string address, InstanceState state, IReadOnlyDictionary<string, int> ports, string? error = null)
    {
        var manifest = (await fixture.Operations.GetManifestAsync(app, name)).Manifest!;
        await fixture.Client.PutAsync(KeyLayout.Instance(app, name, instance), ClusterJson.Serialize(new InstanceRecord
        {
            Host = host,
            Address = address,
            ContainerId = $"c{instance:D3}{name}",
            ContainerName = ContainerNames.For(app, name, instance),
            ManifestHash = ManifestSerializer.Hash(manifest),
            State = state,
            Ports = ports,
            Error = error,
            UpdatedAt = DateTimeOffset.UtcNow,
        }));
    }

    /// <summary>The status an agent writes after looking at the manifest's current revision.</summary>
    public static async Task PutStatusAsync(this CmdletEtcdFixture fixture, string app, string name, int running, int pending, int outdated = 0, params string[] errors)
    {
        var info = await fixture.Operations.GetManifestAsync(app, name);
        await fixture.Client.PutAsync(KeyLayout.Status(app, name), ClusterJson.Serialize(new StatusRecord
        {
            ObservedRevision = info.Revision,
            ManifestHash = info.Hash,
            Desired = info.Manifest!.Scale,
            Running = running,
            Pending = pending,
            Outdated = outdated,
            Errors = errors,
        }));
    }

    public static Manifest Nginx(int scale = 1) => ManifestParser.Parse($$"""{ "image": "dockerfile/nginx", "scale": {{scale}}, "services": { "nginx": 80 } }""");
}
