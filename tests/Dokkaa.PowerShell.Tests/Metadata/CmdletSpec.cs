namespace Dokkaa.PowerShell.Tests.Metadata;

/// <summary>
/// What each cmdlet must look like, written down independently of the code: verb, ShouldProcess and
/// ConfirmImpact, default parameter set, output types, and every parameter's binding in the compact form
/// of <see cref="ParameterSetBinding.ToString"/> (<c>*</c>: in every set, named, optional, not from the pipeline).
/// </summary>
public sealed record CmdletSpec(bool ShouldProcess, string ConfirmImpact, string? DefaultSet, string[] Outputs, Dictionary<string, string> Parameters)
{
    private const string Any = "*:";

    public static readonly IReadOnlyDictionary<string, CmdletSpec> All = new Dictionary<string, CmdletSpec>
    {
        ["Connect-DokkaaCluster"] = new(false, "Medium", null, ["Dokkaa.PowerShell.DokkaaCluster"], new()
        {
            ["Endpoint"] = "*: Position=0",
            ["Credential"] = Any,
            ["CertificatePath"] = Any,
            ["KeyPath"] = Any,
            ["CaPath"] = Any,
        }),
        ["Disconnect-DokkaaCluster"] = new(false, "Medium", null, ["Dokkaa.PowerShell.DokkaaCluster"], new()
        {
            ["PassThru"] = Any,
        }),
        ["Get-DokkaaCluster"] = new(false, "Medium", null, ["Dokkaa.PowerShell.DokkaaCluster"], new()),
        ["New-DokkaaManifest"] = new(false, "Medium", null, ["Dokkaa.Core.Manifests.Manifest"], new()
        {
            ["Image"] = "*: Mandatory Position=0",
            ["Scale"] = Any,
            ["Service"] = Any,
            ["Link"] = Any,
            ["Command"] = Any,
            ["Env"] = Any,
            ["HttpHost"] = Any,
            ["HttpPort"] = Any,
            ["Exclusive"] = Any,
            ["Constraint"] = Any,
            ["Cpus"] = Any,
            ["Memory"] = Any,
        }),
        ["Test-DokkaaManifest"] = new(false, "Medium", "InputObject", ["System.Boolean", "Dokkaa.PowerShell.ManifestTestResult"], new()
        {
            ["InputObject"] = "InputObject: Mandatory Position=0 ByValue",
            ["Path"] = "Path: Mandatory",
            ["Detailed"] = Any,
        }),
        ["Set-DokkaaManifest"] = new(true, "Medium", "InputObject", ["Dokkaa.Core.Operations.ManifestChange"], new()
        {
            ["InputObject"] = "InputObject: Mandatory Position=0 ByValue",
            ["Path"] = "Path: Mandatory",
            ["App"] = Any,
            ["Name"] = Any,
            ["PassThru"] = Any,
            ["Cluster"] = Any,
        }),
        ["Get-DokkaaManifest"] = new(false, "Medium", null, ["Dokkaa.Core.Operations.ManifestInfo"], new()
        {
            ["App"] = "*: Position=0 ByPropertyName",
            ["Name"] = "*: Position=1 ByPropertyName",
            ["Cluster"] = Any,
        }),
        ["Update-DokkaaManifest"] = new(true, "Medium", "InputObject", ["Dokkaa.Core.Operations.ManifestChange"], new()
        {
            ["App"] = "Name: Mandatory Position=0 ByPropertyName",
            ["Name"] = "Name: Mandatory Position=1 ByPropertyName",
            ["InputObject"] = "InputObject: Mandatory ByValue",
            ["Scale"] = Any,
            ["Image"] = Any,
            ["Env"] = Any,
            ["PassThru"] = Any,
            ["Cluster"] = Any,
        }),
        ["Remove-DokkaaManifest"] = new(true, "High", "InputObject", ["Dokkaa.Core.Operations.ManifestInfo"], new()
        {
            ["App"] = "Name: Mandatory Position=0 ByPropertyName",
            ["Name"] = "Name: Mandatory Position=1 ByPropertyName",
            ["InputObject"] = "InputObject: Mandatory ByValue",
            ["PassThru"] = Any,
            ["Cluster"] = Any,
        }),
        ["Wait-DokkaaManifest"] = new(false, "Medium", "InputObject", ["Dokkaa.Core.Operations.ManifestStatusInfo"], new()
        {
            ["App"] = "Name: Mandatory Position=0 ByPropertyName",
            ["Name"] = "Name: Mandatory Position=1 ByPropertyName",
            ["InputObject"] = "InputObject: Mandatory ByValue",
            ["Timeout"] = Any,
            ["Cluster"] = Any,
        }),
        ["Get-DokkaaContainer"] = new(false, "Medium", null, ["Dokkaa.Core.Operations.ContainerInfo"], new()
        {
            ["App"] = "*: Position=0 ByPropertyName",
            ["Name"] = "*: Position=1 ByPropertyName",
            ["HostName"] = Any,
            ["Cluster"] = Any,
        }),
        ["Get-DokkaaHost"] = new(false, "Medium", null, ["Dokkaa.Core.Operations.HostInfo"], new()
        {
            ["Name"] = "*: Position=0",
            ["Cluster"] = Any,
        }),
        ["Get-DokkaaStatus"] = new(false, "Medium", null, ["Dokkaa.Core.Operations.ManifestStatusInfo"], new()
        {
            ["App"] = "*: Position=0 ByPropertyName",
            ["Name"] = "*: Position=1 ByPropertyName",
            ["Cluster"] = Any,
        }),
        ["Resolve-DokkaaService"] = new(false, "Medium", null, ["Dokkaa.Core.Discovery.ServiceEndpoint"], new()
        {
            ["Service"] = "*: Mandatory Position=0 ByValue ByPropertyName",
            ["App"] = "*: Position=1 ByPropertyName",
            ["Cluster"] = Any,
        }),

        // Draining moves every instance of one host, each stopped and started elsewhere only after the next
        // one runs: services stay up, and Resume-DokkaaHost undoes the mark. That is the weight of
        // Update-DokkaaManifest -Image (which restarts every instance of a manifest), so Medium; High is
        // kept for Remove-DokkaaManifest, which stops a service with no replacement.
        ["Suspend-DokkaaHost"] = new(true, "Medium", "Name", ["Dokkaa.Core.Placement.InstanceMove"], new()
        {
            ["HostName"] = "Name: Mandatory Position=0 ByPropertyName",
            ["InputObject"] = "InputObject: Mandatory ByValue",
            ["Timeout"] = Any,
            ["Cluster"] = Any,
        }),

        // Resuming only lets a host take new instances again; nothing stops or moves.
        ["Resume-DokkaaHost"] = new(true, "Low", "Name", ["Dokkaa.Core.Operations.HostInfo"], new()
        {
            ["HostName"] = "Name: Mandatory Position=0 ByPropertyName",
            ["InputObject"] = "InputObject: Mandatory ByValue",
            ["PassThru"] = Any,
            ["Cluster"] = Any,
        }),

        // Rebalancing moves a few instances, one at a time, each confirmed on its own (like a drain: Medium).
        ["Optimize-DokkaaPlacement"] = new(true, "Medium", null, ["Dokkaa.Core.Placement.InstanceMove"], new()
        {
            ["Timeout"] = Any,
            ["Cluster"] = Any,
        }),
    };

    /// <summary>Parameters that name an app or a manifest and so must complete from the live cluster.</summary>
    public static readonly IReadOnlyDictionary<string, string> Completers = new Dictionary<string, string>
    {
        ["App"] = "AppCompleter",
        ["Name"] = "NameCompleter",
        ["HostName"] = "HostCompleter",
        ["Service"] = "ServiceCompleter",
    };
}
