namespace Dokkaa.Core.Cluster;

/// <summary>
/// Where everything lives in etcd. Desired state stays where the seed put it (<c>/apps/...</c>) so that
/// <c>etcdctl put /apps/dummy/nginx/manifest "$(cat nginx.json)"</c> keeps working; everything the agents
/// write lives under <c>/dokkaa/</c>.
/// </summary>
public static class KeyLayout
{
    public const string AppsPrefix = "/apps/";
    public const string HostsPrefix = "/dokkaa/hosts/";
    public const string InstancesPrefix = "/dokkaa/instances/";
    public const string StatusPrefix = "/dokkaa/status/";
    public const string RolloutPrefix = "/dokkaa/rollout/";
    public const string RuntimePrefix = "/dokkaa/";
    public const string DrainPrefix = "/dokkaa/drain/";
    public const string EvictPrefix = "/dokkaa/evict/";
    private const string ManifestLeaf = "manifest";

    public static string Manifest(string app, string name) => $"{AppsPrefix}{app}/{name}/{ManifestLeaf}";

    public static string AppPrefix(string app) => $"{AppsPrefix}{app}/";

    public static string Host(string hostId) => HostsPrefix + hostId;

    public static string Instance(string app, string name, int instance) => $"{InstancesPrefix}{app}/{name}/{instance}";

    public static string InstancesOf(string app, string name) => $"{InstancesPrefix}{app}/{name}/";

    public static string Status(string app, string name) => $"{StatusPrefix}{app}/{name}";

    /// <summary>The lock a host holds while it replaces one instance of a manifest (one at a time, cluster-wide).</summary>
    public static string Rollout(string app, string name) => $"{RolloutPrefix}{app}/{name}";

    /// <summary>An operator's request that a host take no new instances and give its instances away.</summary>
    public static string Drain(string hostId) => DrainPrefix + hostId;

    /// <summary>An operator's request that the owner of one instance release it so that another host runs it.</summary>
    public static string Evict(string app, string name, int instance) => $"{EvictPrefix}{app}/{name}/{instance}";

    /// <summary>Parses <c>/apps/&lt;app&gt;/&lt;name&gt;/manifest</c>; false for any other key under /apps/.</summary>
    public static bool TryParseManifestKey(string key, out string app, out string name)
    {
        app = name = "";
        if (!key.StartsWith(AppsPrefix, StringComparison.Ordinal))
            return false;
        var parts = key[AppsPrefix.Length..].Split('/');
        if (parts.Length != 3 || parts[2] != ManifestLeaf || parts[0].Length == 0 || parts[1].Length == 0)
            return false;
        (app, name) = (parts[0], parts[1]);
        return true;
    }

    /// <summary>Parses <c>/dokkaa/instances/&lt;app&gt;/&lt;name&gt;/&lt;i&gt;</c>.</summary>
    public static bool TryParseInstanceKey(string key, out string app, out string name, out int instance)
    {
        app = name = "";
        instance = 0;
        if (!key.StartsWith(InstancesPrefix, StringComparison.Ordinal))
            return false;
        var parts = key[InstancesPrefix.Length..].Split('/');
        if (parts.Length != 3 || parts[0].Length == 0 || parts[1].Length == 0 ||
            !int.TryParse(parts[2], System.Globalization.NumberStyles.None, null, out instance) || instance < 1)
            return false;
        // Only the canonical spelling: "01" would be a second key for instance 1, shadowing the real claim.
        if (parts[2] != instance.ToString(System.Globalization.CultureInfo.InvariantCulture))
            return false;
        (app, name) = (parts[0], parts[1]);
        return true;
    }

    public static bool TryParseStatusKey(string key, out string app, out string name)
    {
        app = name = "";
        if (!key.StartsWith(StatusPrefix, StringComparison.Ordinal))
            return false;
        var parts = key[StatusPrefix.Length..].Split('/');
        if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0)
            return false;
        (app, name) = (parts[0], parts[1]);
        return true;
    }

    public static bool TryParseHostKey(string key, out string hostId)
    {
        hostId = "";
        if (!key.StartsWith(HostsPrefix, StringComparison.Ordinal))
            return false;
        hostId = key[HostsPrefix.Length..];
        return hostId.Length > 0 && !hostId.Contains('/');
    }

    public static bool TryParseRolloutKey(string key, out string app, out string name)
    {
        app = name = "";
        if (!key.StartsWith(RolloutPrefix, StringComparison.Ordinal))
            return false;
        var parts = key[RolloutPrefix.Length..].Split('/');
        if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0)
            return false;
        (app, name) = (parts[0], parts[1]);
        return true;
    }

    public static bool TryParseDrainKey(string key, out string hostId)
    {
        hostId = "";
        if (!key.StartsWith(DrainPrefix, StringComparison.Ordinal))
            return false;
        hostId = key[DrainPrefix.Length..];
        return hostId.Length > 0 && !hostId.Contains('/');
    }

    public static bool TryParseEvictKey(string key, out string app, out string name, out int instance)
    {
        app = name = "";
        instance = 0;
        if (!key.StartsWith(EvictPrefix, StringComparison.Ordinal))
            return false;
        return TryParseInstanceKey(InstancesPrefix + key[EvictPrefix.Length..], out app, out name, out instance);
    }
}
