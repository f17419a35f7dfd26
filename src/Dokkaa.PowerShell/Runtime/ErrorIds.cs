using Dokkaa.Core.Operations;

namespace Dokkaa.PowerShell;

/// <summary>
/// The ErrorIds the cmdlets write and the PowerShell ErrorCategory of each (by name, so this stays free
/// of PowerShell types; the cmdlets parse the name). Scripts branch on
/// <c>$_.FullyQualifiedErrorId -like 'DokkaaManifestNotFound,*'</c> or on <c>$_.CategoryInfo.Category</c>.
/// </summary>
public static class ErrorIds
{
    /// <summary>Resolve-DokkaaService found no running endpoint.</summary>
    public const string ServiceNotFound = "DokkaaServiceNotFound";

    /// <summary>An etcd endpoint list that is not a list of http(s) URLs.</summary>
    public const string EndpointInvalid = "DokkaaEndpointInvalid";

    /// <summary>Update-DokkaaManifest was given nothing to change.</summary>
    public const string NothingToUpdate = "DokkaaNothingToUpdate";

    /// <summary>Get-DokkaaContainer with names without wildcards found no instance.</summary>
    public const string ContainerNotFound = "DokkaaContainerNotFound";

    /// <summary>Get-DokkaaStatus with names without wildcards found no status (no such manifest, or no agent has reported yet).</summary>
    public const string StatusNotFound = "DokkaaStatusNotFound";

    /// <summary>An etcd TLS or credential setting that cannot be used (settings that go together, https needed).</summary>
    public const string EtcdSettingInvalid = "DokkaaEtcdSettingInvalid";

    /// <summary>-CaPath, -CertificatePath or -KeyPath names a file that does not exist.</summary>
    public const string EtcdFileNotFound = "DokkaaEtcdFileNotFound";

    /// <summary>A certificate or key file that cannot be read or is not PEM (or the key is not the certificate's).</summary>
    public const string EtcdFileUnreadable = "DokkaaEtcdFileUnreadable";

    /// <summary>A private key or password file that every user of the machine can read.</summary>
    public const string EtcdSecretExposed = "DokkaaEtcdSecretExposed";

    /// <summary>The ErrorId of a bad etcd connection setting.</summary>
    public static string For(Core.EtcdAccess.EtcdSettingsProblem problem) => problem switch
    {
        Core.EtcdAccess.EtcdSettingsProblem.FileNotFound => EtcdFileNotFound,
        Core.EtcdAccess.EtcdSettingsProblem.FileUnreadable => EtcdFileUnreadable,
        Core.EtcdAccess.EtcdSettingsProblem.Exposed => EtcdSecretExposed,
        Core.EtcdAccess.EtcdSettingsProblem.EndpointInvalid => EndpointInvalid,
        _ => EtcdSettingInvalid,
    };

    public static string For(DokkaaErrorKind kind) => "Dokkaa" + kind;

    public static string CategoryOf(DokkaaErrorKind kind) => kind switch
    {
        DokkaaErrorKind.ManifestInvalid => "InvalidData",
        DokkaaErrorKind.ManifestNotFound => "ObjectNotFound",
        DokkaaErrorKind.NameInvalid => "InvalidArgument",
        DokkaaErrorKind.ClusterUnreachable => "ConnectionError",
        DokkaaErrorKind.Conflict => "ResourceBusy",
        DokkaaErrorKind.Timeout => "OperationTimeout",
        DokkaaErrorKind.HostNotFound => "ObjectNotFound",
        _ => "NotSpecified",
    };

    /// <summary>Every ErrorId the module can write, with its category name (documented on the module page).</summary>
    public static IReadOnlyDictionary<string, string> All { get; } =
        Enum.GetValues<DokkaaErrorKind>().ToDictionary(For, CategoryOf)
            .Concat(new Dictionary<string, string>
            {
                [ServiceNotFound] = "ObjectNotFound",
                [EndpointInvalid] = "InvalidArgument",
                [NothingToUpdate] = "InvalidArgument",
                [ContainerNotFound] = "ObjectNotFound",
                [StatusNotFound] = "ObjectNotFound",
                [EtcdSettingInvalid] = "InvalidArgument",
                [EtcdFileNotFound] = "ObjectNotFound",
                [EtcdFileUnreadable] = "ReadError",
                [EtcdSecretExposed] = "SecurityError",
            })
            .ToDictionary(p => p.Key, p => p.Value);
}
