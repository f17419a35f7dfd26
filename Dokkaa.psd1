# Module manifest of the Dokkaa PowerShell module.
# ModuleVersion must equal <DokkaaVersion> in Directory.Build.props: scripts/build-module.sh refuses to build
# otherwise and Dokkaa.PowerShell.Tests (ModuleManifestTests) fails. CmdletsToExport must list exactly the
# cmdlet classes of Dokkaa.PowerShell.dll (checked by the same tests).
@{
    RootModule           = 'Dokkaa.PowerShell.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = 'e29a6b74-4cce-4bcc-bb12-090854aa8c60'
    Author               = 'Dokkaa contributors'
    CompanyName          = 'Dokkaa contributors'
    Copyright            = '(c) Dokkaa contributors.'
    Description          = 'Run Docker containers across a cluster of hosts from PowerShell: write manifests into etcd, watch the Dokkaa agents run them, find their services. Objects in, objects out.'
    CompatiblePSEditions = @('Core')
    PowerShellVersion    = '7.4'
    RequiredAssemblies   = @('Dokkaa.Core.dll', 'Dokkaa.Etcd.dll')
    # Update-Help reads Dokkaa_<GUID>_HelpInfo.xml here; scripts/build-module.sh writes it and the help
    # content zip into out/help/, which are published as release assets (Update-Help -SourcePath out/help
    # installs them offline).
    HelpInfoURI          = 'https://github.com/dokkaa/dokkaa/releases/latest/download/'
    FormatsToProcess     = @('Dokkaa.Format.ps1xml')
    CmdletsToExport      = @(
        'Connect-DokkaaCluster'
        'Disconnect-DokkaaCluster'
        'Get-DokkaaCluster'
        'New-DokkaaManifest'
        'Test-DokkaaManifest'
        'Set-DokkaaManifest'
        'Get-DokkaaManifest'
        'Update-DokkaaManifest'
        'Remove-DokkaaManifest'
        'Wait-DokkaaManifest'
        'Get-DokkaaContainer'
        'Get-DokkaaHost'
        'Get-DokkaaStatus'
        'Resolve-DokkaaService'
        'Suspend-DokkaaHost'
        'Resume-DokkaaHost'
        'Optimize-DokkaaPlacement'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('Dokkaa', 'Docker', 'etcd', 'Containers', 'Orchestration', 'Cluster', 'Linux', 'PSEdition_Core')
            ProjectUri   = 'https://github.com/dokkaa/dokkaa'
            LicenseUri   = 'https://github.com/dokkaa/dokkaa/blob/main/LICENSE'
            ReleaseNotes = 'First release: manifests, containers, hosts, service resolution and waiting, draining hosts and rebalancing, over etcd.'
        }
    }
}
