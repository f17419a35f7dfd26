using System.Globalization;
using Dokkaa.Agent.Docker;
using Dokkaa.Core.Cluster;
using Dokkaa.Core.Manifests;

namespace Dokkaa.Agent.Containers;

/// <summary>A linked service as the container sees it: SERVICE_&lt;NAME&gt;_ADDR and _PORT point at the ambassador.</summary>
public sealed record LinkBinding(string Link, string Address, int Port)
{
    /// <summary><c>nginx</c> gives SERVICE_NGINX; <c>nginx.shop</c> gives SERVICE_NGINX_SHOP; dashes become underscores.</summary>
    public string EnvPrefix => LinkEnv.Prefix(Link);
}

/// <summary>Turns a manifest instance into the container the agent creates for it.</summary>
public static class ContainerSpecFactory
{
    /// <param name="defaults">Limits for what the manifest's <c>resources</c> leave out (see <see cref="ContainerLimits"/>).</param>
    public static ContainerSpec Create(InstanceId id, Manifest manifest, string manifestHash, string hostId, IReadOnlyList<LinkBinding> links, ContainerLimits defaults, string? nameOverride = null)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in manifest.Env)
            env[key] = value;
        foreach (var link in links)
        {
            env[link.EnvPrefix + "_ADDR"] = link.Address;
            env[link.EnvPrefix + "_PORT"] = link.Port.ToString(CultureInfo.InvariantCulture);
        }

        env["DOKKAA_APP"] = id.App;
        env["DOKKAA_NAME"] = id.Name;
        env["DOKKAA_INSTANCE"] = id.Instance.ToString(CultureInfo.InvariantCulture);

        return new ContainerSpec
        {
            Name = nameOverride ?? id.ContainerName,
            Image = manifest.Image,
            Command = manifest.Command,
            Env = env,
            Labels = WithAmbassadorPorts(LabelsFor(id, manifestHash, hostId), links),
            ExposedPorts = manifest.Services.Values.Select(PortKey).Distinct().ToList(),
            PublishAllPorts = true,
            NanoCpus = (manifest.Resources?.MilliCpus is > 0 and var milli ? milli : defaults.MilliCpus) * 1_000_000L,
            MemoryBytes = manifest.Resources?.MemoryBytes is > 0 and var memory ? memory : defaults.MemoryBytes,
            PidsLimit = defaults.Pids,
        };
    }

    public static string PortKey(ServicePort port) => $"{port.Port}/{port.Protocol}";

    public static IReadOnlyDictionary<string, string> LabelsFor(InstanceId id, string manifestHash, string hostId) =>
        new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [ContainerNames.AppLabel] = id.App,
            [ContainerNames.NameLabel] = id.Name,
            [ContainerNames.InstanceLabel] = id.Instance.ToString(CultureInfo.InvariantCulture),
            [ContainerNames.ManifestHashLabel] = manifestHash,
            [ContainerNames.HostLabel] = hostId,
        };

    /// <summary>
    /// The ambassador ports a container's links point at, from its labels; null for a container made before the
    /// label existed (its links are then known only from its manifest).
    /// </summary>
    public static IReadOnlyList<int>? AmbassadorPortsOf(IReadOnlyDictionary<string, string> labels)
    {
        if (!labels.TryGetValue(ContainerNames.AmbassadorPortsLabel, out var text))
            return null;
        var ports = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            if (int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var port))
                ports.Add(port);
        }

        return ports;
    }

    private static IReadOnlyDictionary<string, string> WithAmbassadorPorts(IReadOnlyDictionary<string, string> labels, IReadOnlyList<LinkBinding> links)
    {
        var all = new Dictionary<string, string>(labels, StringComparer.Ordinal)
        {
            [ContainerNames.AmbassadorPortsLabel] = string.Join(",", links.Select(l => l.Port.ToString(CultureInfo.InvariantCulture))),
        };
        return all;
    }

    /// <summary>Reads the instance a container belongs to from its labels; null for containers that are not Dokkaa's.</summary>
    public static InstanceId? InstanceOf(IReadOnlyDictionary<string, string> labels)
    {
        if (!labels.TryGetValue(ContainerNames.AppLabel, out var app) ||
            !labels.TryGetValue(ContainerNames.NameLabel, out var name) ||
            !labels.TryGetValue(ContainerNames.InstanceLabel, out var text) ||
            !int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var instance) || instance < 1)
            return null;
        return new InstanceId(app, name, instance);
    }
}
