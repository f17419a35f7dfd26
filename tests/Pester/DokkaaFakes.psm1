#Requires -Version 7.4
# Fake output of the Dokkaa cmdlets for unit tests that Mock them: built with the real types' public
# constructors (and the real manifest parser), so a runbook sees exactly the objects the module returns.
# Import the Dokkaa module first: the types come from it.

Set-StrictMode -Version 3.0

function New-FakeManifest {
    [CmdletBinding()]
    param(
        [string] $Image = 'dokkaa/busybox:test',
        [int] $Scale = 1,
        [hashtable] $Services = @{}
    )
    $json = @{ image = $Image; scale = $Scale; services = $Services } | ConvertTo-Json -Compress -Depth 5
    [Dokkaa.Core.Manifests.ManifestParser]::Parse($json)
}

function New-FakeManifestInfo {
    [CmdletBinding()]
    param(
        [string] $App = 'shop',
        [Parameter(Mandatory)] [string] $Name,
        [string] $Image = 'dokkaa/busybox:test',
        [int] $Scale = 1,
        [hashtable] $Services = @{},
        [long] $Revision = 10,
        # An invalid manifest, as Get-DokkaaManifest returns one written into etcd by hand.
        [switch] $Invalid
    )
    if ($Invalid) {
        $errors = [Dokkaa.Core.Manifests.ManifestError[]]@([Dokkaa.Core.Manifests.ManifestError]::new('$.scale', 'must be 0-1000'))
        return [Dokkaa.Core.Operations.ManifestInfo]::new($App, $Name, $null, '{"image":"x","scale":-1}', $errors, $Revision)
    }
    $manifest = New-FakeManifest -Image $Image -Scale $Scale -Services $Services
    [Dokkaa.Core.Operations.ManifestInfo]::new($App, $Name, $manifest, [Dokkaa.Core.Manifests.ManifestSerializer]::ToCanonicalJson($manifest),
        [Dokkaa.Core.Manifests.ManifestError[]]@(), $Revision)
}

function New-FakeManifestChange {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] [Dokkaa.Core.Operations.ManifestInfo] $From,
        [int] $Scale = $From.Manifest.Scale,
        [string] $Image = $From.Manifest.Image,
        [long] $Revision = $From.Revision + 1
    )
    $services = @{}
    foreach ($entry in $From.Manifest.Services.GetEnumerator()) { $services[$entry.Key] = $entry.Value.Port }
    $manifest = New-FakeManifest -Image $Image -Scale $Scale -Services $services
    $kind = if ($Scale -eq $From.Manifest.Scale -and $Image -eq $From.Manifest.Image) { 'Unchanged' } else { 'Updated' }
    [Dokkaa.Core.Operations.ManifestChange]::new($From.App, $From.Name, $kind, $manifest, $From.Manifest, $Revision)
}

function New-FakeStatus {
    [CmdletBinding()]
    param(
        [string] $App = 'shop',
        [Parameter(Mandatory)] [string] $Name,
        [int] $Desired = 1,
        [int] $Running = $Desired,
        [string[]] $Errors = @(),
        [long] $Revision = 11
    )
    [Dokkaa.Core.Operations.ManifestStatusInfo]::new($App, $Name, $Desired, $Running, $Desired - $Running, 0, [string[]]$Errors, $Revision, $Revision)
}

function New-FakeHostInfo {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] [string] $Name,
        [string] $Address = '10.0.0.12',
        [int] $Instances = 0,
        [switch] $Draining
    )
    $labels = [System.Collections.Generic.Dictionary[string, string]]::new()
    [Dokkaa.Core.Operations.HostInfo]::new($Name, $Address, '0.1.0', [DateTimeOffset]::UtcNow.AddHours(-1), 0, [bool]$Draining, $Instances, $labels)
}

function New-FakeInstanceMove {
    [CmdletBinding()]
    param(
        [string] $App = 'shop',
        [Parameter(Mandatory)] [string] $Name,
        [int] $Instance = 1,
        [Parameter(Mandatory)] [string] $FromHost
    )
    [Dokkaa.Core.Placement.InstanceMove]::new([Dokkaa.Core.Cluster.InstanceId]::new($App, $Name, $Instance), $FromHost)
}

function New-FakeServiceEndpoint {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] [string] $Service,
        [string] $App = 'shop',
        [Parameter(Mandatory)] [string] $Name,
        [int] $Instance = 1,
        [string] $Address = '127.0.0.1',
        [Parameter(Mandatory)] [int] $Port,
        [int] $ContainerPort = 80,
        [string] $Protocol = 'tcp'
    )
    [Dokkaa.Core.Discovery.ServiceEndpoint]::new($Service, $App, $Name, $Instance, 'h1', $Address, $Port, $ContainerPort, $Protocol)
}

function New-FakeDokkaaError {
    <#
    .SYNOPSIS
    An ErrorRecord like the module's (ErrorId and category), to throw from a mock: throw (New-FakeDokkaaError ...).
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] [string] $ErrorId,
        [Parameter(Mandatory)] [string] $Message,
        [System.Management.Automation.ErrorCategory] $Category = 'NotSpecified',
        [object] $Target
    )
    [System.Management.Automation.ErrorRecord]::new([System.Exception]::new($Message), $ErrorId, $Category, $Target)
}

Export-ModuleMember -Function New-FakeManifest, New-FakeManifestInfo, New-FakeManifestChange, New-FakeStatus, New-FakeHostInfo,
    New-FakeInstanceMove, New-FakeServiceEndpoint, New-FakeDokkaaError
