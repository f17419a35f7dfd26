namespace Dokkaa.Core.Cluster;

/// <summary>
/// Container names and labels as the Dokkaa seed shows them: instance 1 of nginx in app dummy is
/// <c>dummy---nginx</c>, instance 2 is <c>dummy---nginx---2</c>. The labels, not the names, are what an
/// agent trusts when it adopts containers after a restart.
/// </summary>
public static class ContainerNames
{
    public const string Separator = "---";
    public const string AppLabel = "io.dokkaa.app";
    public const string NameLabel = "io.dokkaa.name";
    public const string InstanceLabel = "io.dokkaa.instance";
    public const string ManifestHashLabel = "io.dokkaa.manifest-hash";
    public const string HostLabel = "io.dokkaa.host";

    /// <summary>The ambassador ports the container's links point at (<c>42000,42001</c>): Docker's list has labels, not the environment.</summary>
    public const string AmbassadorPortsLabel = "io.dokkaa.ambassador-ports";

    public static string For(string app, string name, int instance) =>
        instance == 1 ? $"{app}{Separator}{name}" : $"{app}{Separator}{name}{Separator}{instance}";
}
