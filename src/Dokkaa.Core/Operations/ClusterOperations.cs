using Dokkaa.Core.Cluster;
using Dokkaa.Core.Discovery;
using Dokkaa.Core.Etcd;
using Dokkaa.Core.Manifests;
using Dokkaa.Core.Placement;
using Dokkaa.Core.Status;

namespace Dokkaa.Core.Operations;

/// <summary>
/// What operators do to a cluster, in one place: the <c>dokkaa</c> CLI, the PowerShell cmdlets and the
/// web API are thin faces over these methods. Every write is validated first and is a single etcd
/// operation, so a refused or failed call leaves the cluster exactly as it was.
/// </summary>
public sealed partial class ClusterOperations
{
    private readonly IEtcdClient _etcd;

    public ClusterOperations(IEtcdClient etcd) => _etcd = etcd;

    /// <summary>Validates and writes a manifest. <paramref name="expectedRevision"/> (if given) guards against lost updates.</summary>
    public async Task<ManifestChange> SetManifestAsync(string app, string name, Manifest manifest, long? expectedRevision = null, CancellationToken cancellationToken = default)
    {
        ValidateNames(app, name);
        ValidateManifest(manifest);
        var key = KeyLayout.Manifest(app, name);
        var current = await ReadOneAsync(key, cancellationToken).ConfigureAwait(false);
        Manifest? previous = null;
        if (current is not null && ManifestParser.TryParse(current.Value, out var parsed, out _))
            previous = parsed;

        var json = ManifestSerializer.ToCanonicalJson(manifest);
        if (current is not null && current.Value == json)
            return new ManifestChange(app, name, ManifestChangeKind.Unchanged, manifest, previous, current.ModRevision);

        var guard = expectedRevision switch
        {
            null => current is null ? Compare.Absent(key) : Compare.ModifiedAt(key, current.ModRevision),
            0 => Compare.Absent(key),
            var revision => Compare.ModifiedAt(key, revision.Value),
        };
        var result = await Call(() => _etcd.TxnAsync(new TxnRequest(new[] { guard }, new TxnOp[] { new TxnOp.Put(key, json) }), cancellationToken)).ConfigureAwait(false);
        if (!result.Succeeded)
            throw new DokkaaException(DokkaaErrorKind.Conflict, $"Manifest {app}/{name} was changed by someone else meanwhile; nothing was written. Read it again and retry.");
        return new ManifestChange(app, name, current is null ? ManifestChangeKind.Created : ManifestChangeKind.Updated, manifest, previous, result.Revision);
    }

    /// <summary>Parses JSON (as the operator wrote it) and writes it; errors name the JSON path.</summary>
    public Task<ManifestChange> SetManifestJsonAsync(string app, string name, string json, CancellationToken cancellationToken = default) =>
        SetManifestAsync(app, name, ParseManifest(json), cancellationToken: cancellationToken);

    /// <summary>Reads manifests whose app and name match the wildcard patterns (null: all).</summary>
    public async Task<IReadOnlyList<ManifestInfo>> GetManifestsAsync(string? app = null, string? name = null, CancellationToken cancellationToken = default)
    {
        var prefix = app is not null && !Glob.HasWildcards(app) ? KeyLayout.AppPrefix(app) : KeyLayout.AppsPrefix;
        var range = await Call(() => _etcd.RangeAsync(prefix, prefix: true, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var result = new List<ManifestInfo>();
        foreach (var kv in range.Kvs)
        {
            if (!KeyLayout.TryParseManifestKey(kv.Key, out var a, out var n) || !Glob.IsMatch(a, app) || !Glob.IsMatch(n, name))
                continue;
            var manifest = StoredManifest.Read(a, n, kv.Value, out var errors);
            result.Add(new ManifestInfo(a, n, manifest, kv.Value, errors, kv.ModRevision));
        }

        return result;
    }

    /// <summary>Reads one manifest; <see cref="DokkaaErrorKind.ManifestNotFound"/> if absent.</summary>
    /// <remarks>Any name that can be a key segment is read, so that a key an agent reports as invalid can be looked at.</remarks>
    public async Task<ManifestInfo> GetManifestAsync(string app, string name, CancellationToken cancellationToken = default)
    {
        ValidateKeySegments(app, name);
        var kv = await ReadOneAsync(KeyLayout.Manifest(app, name), cancellationToken).ConfigureAwait(false)
                 ?? throw NotFound(app, name);
        var manifest = StoredManifest.Read(app, name, kv.Value, out var errors);
        return new ManifestInfo(app, name, manifest, kv.Value, errors, kv.ModRevision);
    }

    /// <summary>Deletes a manifest; the agents then stop and remove every instance and delete claims and status.</summary>
    /// <remarks>Any name that can be a key segment is accepted, so a key with an invalid name can be removed.</remarks>
    public async Task RemoveManifestAsync(string app, string name, CancellationToken cancellationToken = default)
    {
        ValidateKeySegments(app, name);
        var deleted = await Call(() => _etcd.DeleteAsync(KeyLayout.Manifest(app, name), cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (deleted == 0)
            throw NotFound(app, name);
    }

    /// <summary>Changes only the scale, guarded by the revision read, so a concurrent edit is never overwritten.</summary>
    public async Task<ManifestChange> ScaleAsync(string app, string name, int scale, CancellationToken cancellationToken = default)
    {
        var current = await GetManifestAsync(app, name, cancellationToken).ConfigureAwait(false);
        if (current.Manifest is null)
            throw new DokkaaException(DokkaaErrorKind.ManifestInvalid, $"Manifest {app}/{name} in etcd is invalid ({string.Join("; ", current.Errors)}); fix it with apply before scaling.");
        return await SetManifestAsync(app, name, current.Manifest with { Scale = scale }, current.Revision, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Instances as claimed in the cluster, filtered by wildcard app, name and host.</summary>
    public async Task<IReadOnlyList<ContainerInfo>> GetContainersAsync(string? app = null, string? name = null, string? host = null, CancellationToken cancellationToken = default)
    {
        var state = await LoadStateAsync(cancellationToken).ConfigureAwait(false);
        return ContainersOf(state, app, name, host);
    }

    /// <summary>What <see cref="GetContainersAsync"/> answers, from a snapshot the caller already has (the web console's live view).</summary>
    public static IReadOnlyList<ContainerInfo> ContainersOf(ClusterState state, string? app = null, string? name = null, string? host = null) =>
        state.Instances.Values
            .Where(c => Glob.IsMatch(c.Id.App, app) && Glob.IsMatch(c.Id.Name, name) && Glob.IsMatch(c.Record.Host, host))
            .Select(c => new ContainerInfo(
                c.Id.App, c.Id.Name, c.Id.Instance, c.Record.ContainerName ?? c.Id.ContainerName, c.Record.Host, c.Record.Address,
                c.Record.State, c.Record.ContainerId, c.Record.ManifestHash, c.Record.Ports, c.Record.Error, c.Record.Restarts, c.Record.UpdatedAt))
            .ToList();

    /// <summary>Live hosts and how many instances each runs.</summary>
    public async Task<IReadOnlyList<HostInfo>> GetHostsAsync(string? name = null, CancellationToken cancellationToken = default)
    {
        var state = await LoadStateAsync(cancellationToken).ConfigureAwait(false);
        var loads = HostLoads.Of(state);
        return state.Hosts.Values
            .Where(h => Glob.IsMatch(h.HostId, name))
            .Select(h => new HostInfo(h.HostId, h.Record.Address, h.Record.AgentVersion, h.Record.StartedAt, h.Record.Capacity, state.IsDraining(h),
                loads.InstancesOn(h.HostId), h.Record.Labels))
            .ToList();
    }

    /// <summary>The agents' status of every matching manifest (a manifest no agent has reported on yet shows as all pending).</summary>
    public async Task<IReadOnlyList<ManifestStatusInfo>> GetStatusAsync(string? app = null, string? name = null, CancellationToken cancellationToken = default)
    {
        var state = await LoadStateAsync(cancellationToken).ConfigureAwait(false);
        return StatusesOf(state, app, name);
    }

    /// <summary>Endpoints of a service, the same answer DNS and the ambassador use.</summary>
    public async Task<IReadOnlyList<ServiceEndpoint>> ResolveAsync(string service, string? app = null, CancellationToken cancellationToken = default)
    {
        var state = await LoadStateAsync(cancellationToken).ConfigureAwait(false);
        return ServiceResolver.Resolve(state, service, app);
    }

    /// <summary>
    /// Polls until the agents report the manifest converged (desired running, nothing pending or outdated),
    /// reporting progress; throws <see cref="DokkaaErrorKind.Timeout"/> naming what is missing.
    /// </summary>
    public async Task<ManifestStatusInfo> WaitForManifestAsync(string app, string name, TimeSpan timeout, IProgress<ManifestStatusInfo>? progress = null, CancellationToken cancellationToken = default)
    {
        ValidateNames(app, name);
        var deadline = DateTimeOffset.UtcNow + timeout;
        ManifestStatusInfo? last = null;
        while (true)
        {
            var state = await LoadStateAsync(cancellationToken).ConfigureAwait(false);
            if (!state.Manifests.ContainsKey(new ManifestId(app, name)))
                throw NotFound(app, name);
            last = StatusesOf(state, app, name).Single();
            progress?.Report(last);
            if (last.Converged)
                return last;
            if (DateTimeOffset.UtcNow >= deadline)
            {
                var missing = $"{last.Running} of {last.Desired} running, {last.Pending} pending, {last.Outdated} outdated";
                var errors = last.Errors.Count == 0 ? "" : "; errors: " + string.Join("; ", last.Errors);
                throw new DokkaaException(DokkaaErrorKind.Timeout, $"Manifest {app}/{name} did not converge within {timeout.TotalSeconds:0.#}s: {missing}{errors}.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Reads the whole cluster state once (for one-shot operations; long-lived processes use <see cref="ClusterView"/>).</summary>
    public async Task<ClusterState> LoadStateAsync(CancellationToken cancellationToken = default)
    {
        var view = new ClusterView(_etcd);
        await Call(async () =>
        {
            await view.LoadAsync(cancellationToken).ConfigureAwait(false);
            return 0;
        }).ConfigureAwait(false);
        return view.Current;
    }

    /// <summary>Parses operator JSON into a manifest, as <see cref="DokkaaErrorKind.ManifestInvalid"/> on error.</summary>
    public static Manifest ParseManifest(string json)
    {
        try
        {
            return ManifestParser.Parse(json);
        }
        catch (ManifestValidationException e)
        {
            throw new DokkaaException(DokkaaErrorKind.ManifestInvalid, e.Message, e);
        }
    }

    /// <summary>Keys under /apps/ that are not manifest keys, which agents ignore (see <see cref="ClusterState.IgnoredKeys"/>).</summary>
    public async Task<IReadOnlyList<IgnoredKey>> GetIgnoredKeysAsync(CancellationToken cancellationToken = default)
    {
        var state = await LoadStateAsync(cancellationToken).ConfigureAwait(false);
        return IgnoredKeysOf(state);
    }

    /// <summary>What <see cref="GetIgnoredKeysAsync"/> answers, from a snapshot the caller already has.</summary>
    public static IReadOnlyList<IgnoredKey> IgnoredKeysOf(ClusterState state) =>
        state.IgnoredKeys.Select(key => new IgnoredKey(key, WhyIgnored(key) + $" (remove it with: dokkaa rm --key '{key}')")).ToList();

    private static string WhyIgnored(string key) =>
        KeyLayout.TryParseHostKey(key, out _)
            ? "a host key without a lease; a host counts as live only while its agent's lease is, so this one is not a host"
            : $"not of the form {KeyLayout.Manifest("<app>", "<name>")}; nothing runs for it";

    /// <summary>
    /// Deletes one key that agents ignore: a key under /apps/ that is not a manifest key, or a host key without a lease.
    /// Refuses anything else (manifests are removed by app and name; live hosts go away when their agent stops).
    /// </summary>
    public async Task RemoveIgnoredKeyAsync(string key, CancellationToken cancellationToken = default)
    {
        if (KeyLayout.TryParseManifestKey(key, out var app, out var name))
            throw new DokkaaException(DokkaaErrorKind.NameInvalid, $"Key \"{key}\" is the manifest {app}/{name}; remove it with --app and --name.");
        if (KeyLayout.TryParseHostKey(key, out var host))
        {
            var stored = await ReadOneAsync(key, cancellationToken).ConfigureAwait(false) ?? throw new DokkaaException(DokkaaErrorKind.ManifestNotFound, $"No key {key}.");
            if (stored.Lease != 0)
                throw new DokkaaException(DokkaaErrorKind.NameInvalid, $"Key \"{key}\" is live host {host} (it has a lease); drain the host and stop its agent instead.");
            // Only while it still has no lease: an agent that registered meanwhile keeps its key.
            var txn = new TxnRequest(new[] { Compare.ModifiedAt(key, stored.ModRevision) }, new TxnOp[] { new TxnOp.Delete(key) });
            if (!(await Call(() => _etcd.TxnAsync(txn, cancellationToken)).ConfigureAwait(false)).Succeeded)
                throw new DokkaaException(DokkaaErrorKind.Conflict, $"Key {key} was changed meanwhile; nothing was removed.");
            return;
        }

        if (!key.StartsWith(KeyLayout.AppsPrefix, StringComparison.Ordinal))
            throw new DokkaaException(DokkaaErrorKind.NameInvalid, $"Key \"{key}\" is neither under {KeyLayout.AppsPrefix} nor a host key; Dokkaa removes only the keys it ignores.");
        var deleted = await Call(() => _etcd.DeleteAsync(key, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (deleted == 0)
            throw new DokkaaException(DokkaaErrorKind.ManifestNotFound, $"No key {key}.");
    }

    /// <summary>What <see cref="GetStatusAsync"/> answers, from a snapshot the caller already has (the web console's live view).</summary>
    public static IReadOnlyList<ManifestStatusInfo> StatusesOf(ClusterState state, string? app = null, string? name = null)
    {
        var result = new List<ManifestStatusInfo>();
        foreach (var (id, entry) in state.Manifests)
        {
            if (!Glob.IsMatch(id.App, app) || !Glob.IsMatch(id.Name, name))
                continue;
            if (state.Statuses.TryGetValue(id, out var stored))
            {
                var s = stored.Record;
                result.Add(new ManifestStatusInfo(id.App, id.Name, s.Desired, s.Running, s.Pending, s.Outdated, s.Errors, s.ObservedRevision, entry.ModRevision));
            }
            else
            {
                var desired = entry.Effective?.Scale ?? 0;
                var errors = StatusCalculator.Bound(entry.Errors.Select(e => $"manifest: {e}").ToList());
                errors.Add("no agent has reported on this manifest yet");
                result.Add(new ManifestStatusInfo(id.App, id.Name, desired, 0, desired, 0, errors, 0, entry.ModRevision));
            }
        }

        return result;
    }

    private async Task<KeyValue?> ReadOneAsync(string key, CancellationToken cancellationToken)
    {
        var range = await Call(() => _etcd.RangeAsync(key, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return range.Kvs.Count == 0 ? null : range.Kvs[0];
    }

    private static void ValidateNames(string app, string name)
    {
        try
        {
            ResourceNames.ValidateApp(app);
            ResourceNames.ValidateName(name);
        }
        catch (InvalidResourceNameException e)
        {
            throw new DokkaaException(DokkaaErrorKind.NameInvalid, e.Message, e);
        }
    }

    private static void ValidateKeySegments(string app, string name)
    {
        if (!ResourceNames.IsKeySegment(app))
            throw new DokkaaException(DokkaaErrorKind.NameInvalid, $"App \"{app}\" cannot be part of a manifest key: it must not be empty or contain '/'.");
        if (!ResourceNames.IsKeySegment(name))
            throw new DokkaaException(DokkaaErrorKind.NameInvalid, $"Name \"{name}\" cannot be part of a manifest key: it must not be empty or contain '/'.");
    }

    private static void ValidateManifest(Manifest manifest)
    {
        try
        {
            ManifestParser.Validate(manifest);
        }
        catch (ManifestValidationException e)
        {
            throw new DokkaaException(DokkaaErrorKind.ManifestInvalid, e.Message, e);
        }
    }

    private static DokkaaException NotFound(string app, string name) =>
        new(DokkaaErrorKind.ManifestNotFound, $"No manifest {app}/{name} (key {KeyLayout.Manifest(app, name)}).");

    private static async Task<T> Call<T>(Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (EtcdException e)
        {
            // Most of the client's messages already start with "etcd"; do not say it twice.
            var message = e.Message.StartsWith("etcd", StringComparison.OrdinalIgnoreCase) ? e.Message : $"etcd: {e.Message}";
            throw new DokkaaException(DokkaaErrorKind.ClusterUnreachable, message, e);
        }
    }
}
