#Requires -Version 7.4
# Dot-source this file to get the Update-DokkaaImage function:  . ./Update-DokkaaImage.ps1
# Needs the Dokkaa module (Import-Module Dokkaa).

function Test-DokkaaTcpConnection {
    <#
    .SYNOPSIS
    Returns $true when a TCP connection to Address:Port is accepted within -TimeoutMilliseconds.
    #>
    [CmdletBinding()]
    [OutputType([bool])]
    param(
        [Parameter(Mandatory)] [string] $Address,
        [Parameter(Mandatory)] [ValidateRange(1, 65535)] [int] $Port,
        [ValidateRange(1, 60000)] [int] $TimeoutMilliseconds = 3000
    )
    $client = [System.Net.Sockets.TcpClient]::new()
    try {
        $connect = $client.ConnectAsync($Address, $Port)
        $connect.Wait($TimeoutMilliseconds) -and $client.Connected
    }
    catch { $false }
    finally { $client.Dispose() }
}

function Test-DokkaaManifestEndpoint {
    <#
    .SYNOPSIS
    The default health check of Update-DokkaaImage: every TCP service of the manifest resolves to at
    least one endpoint of this manifest, and each of those endpoints accepts a TCP connection.
    .DESCRIPTION
    Throws naming the service or endpoint that failed. A manifest without TCP services passes.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] [string] $App,
        [Parameter(Mandatory)] [string] $Name,
        [Parameter(Mandatory)] [Dokkaa.Core.Manifests.Manifest] $Manifest,
        [object] $Cluster
    )
    $clusterArgs = @{}
    if ($PSBoundParameters.ContainsKey('Cluster') -and $null -ne $Cluster) { $clusterArgs.Cluster = $Cluster }
    $services = @($Manifest.Services.GetEnumerator() | Where-Object { $_.Value.Protocol -eq 'tcp' } | ForEach-Object Key | Sort-Object)
    if ($services.Count -eq 0) {
        Write-Verbose "$App/${Name}: no TCP service to check"
        return
    }
    foreach ($service in $services) {
        $endpoints = @(Resolve-DokkaaService -Service $service -App $App @clusterArgs -ErrorAction SilentlyContinue |
                Where-Object { $_.Name -eq $Name })
        if ($endpoints.Count -eq 0) { throw "service $service of $App/$Name resolves to no running instance" }
        foreach ($endpoint in $endpoints) {
            if (-not (Test-DokkaaTcpConnection -Address $endpoint.Address -Port $endpoint.Port)) {
                throw "service $service of $App/$Name, instance $($endpoint.Instance) at $($endpoint.Address):$($endpoint.Port) does not accept TCP connections"
            }
            Write-Verbose "$App/${Name}: service $service instance $($endpoint.Instance) answers at $($endpoint.Address):$($endpoint.Port)"
        }
    }
}

function Update-DokkaaImage {
    <#
    .SYNOPSIS
    Rolls out a new image to a manifest, waits for it, checks its health, and rolls back by itself when
    either fails.

    .DESCRIPTION
    1. Reads the manifest and remembers its image.
    2. Writes the new image with Update-DokkaaManifest (guarded by the revision read in step 1).
    3. Waits with Wait-DokkaaManifest -Timeout until the agents run the new image everywhere.
    4. Runs the health check until it passes, for at most -HealthCheckTimeout seconds (one attempt per
       -HealthCheckInterval seconds; -HealthCheckTimeout 0 makes exactly one attempt).
    5. When step 3 or 4 fails: writes the previous image back, waits for it (same -Timeout), and throws
       the error DokkaaRolloutFailed naming the step that failed, its reason and how the rollback went.

    The health check is a scriptblock called with one argument, an object with App, Name, Image,
    PreviousImage, Manifest (the new Dokkaa manifest), Status (from Wait-DokkaaManifest) and Cluster.
    It fails when it throws, writes an error, or outputs $false. The default check (Test-DokkaaManifestEndpoint, in this
    file) needs every TCP service of the manifest to resolve with Resolve-DokkaaService to at least one
    endpoint of this manifest, and a TCP connection to each of those endpoints to succeed.

    Only the image is rolled back; the rollback is written without a revision guard, since restoring
    service comes first. A rollout that cannot even be written (DokkaaConflict, DokkaaManifestInvalid,
    DokkaaManifestNotFound) changes nothing and is thrown as it is.

    .PARAMETER App
    The app of the manifest.

    .PARAMETER Name
    The name of the manifest.

    .PARAMETER Image
    The image to roll out, for example registry:5000/shop/web:1.5.

    .PARAMETER Timeout
    Seconds to wait for the rollout (and again for a rollback) to converge. Whole seconds.

    .PARAMETER HealthCheck
    The check to run once the rollout has converged (see the description). Default: every TCP service
    answers.

    .PARAMETER HealthCheckTimeout
    Seconds during which a failing check is tried again. 0: a single attempt.

    .PARAMETER HealthCheckInterval
    Seconds between two attempts of the check.

    .PARAMETER Cluster
    The cluster to use instead of the session's (passed to the Dokkaa cmdlets).

    .EXAMPLE
    Update-DokkaaImage -App shop -Name web -Image registry:5000/shop/web:1.5 -Timeout 300

    Rolls out 1.5; when the instances do not all run it within 5 minutes, or a service does not accept
    connections, shop/web goes back to the image it ran before and the command fails saying why.

    .EXAMPLE
    Update-DokkaaImage shop web registry:5000/shop/web:1.5 -HealthCheck {
        param($Rollout)
        foreach ($endpoint in Resolve-DokkaaService web -App $Rollout.App) {
            (Invoke-RestMethod "http://$($endpoint.Address):$($endpoint.Port)/health").status -eq 'ok'
        }
    }

    A check of its own: every instance's /health must say ok (an output of $false fails the check).

    .EXAMPLE
    Update-DokkaaImage shop web registry:5000/shop/web:1.5 -WhatIf

    What if: Performing the operation "Roll out image registry:5000/shop/web:1.5 (now registry:5000/shop/web:1.4), roll back if it does not converge within 120 s or fails its health check" on target "shop/web".

    .NOTES
    Ctrl+C stops the runbook where it is and rolls nothing back: the manifest keeps the new image. Run
    Update-DokkaaManifest -Image <previous> yourself if you want the old one back.

    .OUTPUTS
    Dokkaa.Runbook.ImageRollout: App, Name, Image, PreviousImage, Status (the converged
    ManifestStatusInfo) and HealthCheckAttempts. Nothing under -WhatIf or when the image is already the
    one asked for.
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Medium')]
    [OutputType('Dokkaa.Runbook.ImageRollout')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipelineByPropertyName)]
        [ValidateNotNullOrEmpty()]
        [string] $App,

        [Parameter(Mandatory, Position = 1, ValueFromPipelineByPropertyName)]
        [ValidateNotNullOrEmpty()]
        [string] $Name,

        [Parameter(Mandatory, Position = 2)]
        [ValidateNotNullOrEmpty()]
        [string] $Image,

        [ValidateRange(1, 86400)]
        [int] $Timeout = 120,

        [scriptblock] $HealthCheck,

        [ValidateRange(0, 3600)]
        [int] $HealthCheckTimeout = 15,

        [ValidateRange(1, 300)]
        [int] $HealthCheckInterval = 1,

        [object] $Cluster
    )

    process {
        $clusterArgs = @{}
        if ($PSBoundParameters.ContainsKey('Cluster')) { $clusterArgs.Cluster = $Cluster }
        $target = "$App/$Name"

        $before = Get-DokkaaManifest -App $App -Name $Name @clusterArgs -ErrorAction Stop
        if (-not $before.IsValid) {
            $PSCmdlet.ThrowTerminatingError([System.Management.Automation.ErrorRecord]::new(
                [System.InvalidOperationException]::new("Manifest $target is invalid ($($before.Errors -join '; ')); fix it before a rollout."),
                'DokkaaManifestInvalid', [System.Management.Automation.ErrorCategory]::InvalidData, $before))
        }
        $previous = $before.Manifest.Image
        if ($previous -eq $Image) {
            Write-Warning "$target already runs $Image; nothing to roll out."
            return
        }
        if (-not $PSCmdlet.ShouldProcess($target, "Roll out image $Image (now $previous), roll back if it does not converge within $Timeout s or fails its health check")) {
            return
        }

        # Not caught: when the rollout cannot be written, nothing changed and there is nothing to roll back.
        $change = Update-DokkaaManifest -InputObject $before -Image $Image -PassThru -Confirm:$false @clusterArgs -ErrorAction Stop
        Write-Verbose "${target}: image $previous -> $Image at revision $($change.Revision); waiting up to $Timeout s"

        $failedStep = $null
        $reason = $null
        $status = $null
        $attempts = 0
        try {
            $status = Wait-DokkaaManifest -App $App -Name $Name -Timeout $Timeout @clusterArgs -ErrorAction Stop
        }
        catch {
            $failedStep = 'Wait-DokkaaManifest'
            $reason = $_.Exception.Message.TrimEnd('.')
        }

        if (-not $failedStep) {
            $context = [pscustomobject]@{
                App = $App; Name = $Name; Image = $Image; PreviousImage = $previous
                Manifest = $change.Manifest; Status = $status; Cluster = $Cluster
            }
            $check = if ($HealthCheck) { $HealthCheck } else {
                { param($Rollout) Test-DokkaaManifestEndpoint -App $Rollout.App -Name $Rollout.Name -Manifest $Rollout.Manifest -Cluster $Rollout.Cluster }
            }
            $deadline = [DateTime]::UtcNow.AddSeconds($HealthCheckTimeout)
            while ($true) {
                $attempts++
                try {
                    # Any error counts: a check that writes one (Invoke-RestMethod on a 503 ...) has failed.
                    $result = @(& {
                            $ErrorActionPreference = 'Stop'
                            & $check $context
                        })
                    # Only a real $false fails it (-contains $false would also match 0 and '').
                    $reason = if (@($result | Where-Object { $_ -is [bool] -and -not $_ }).Count) { 'it returned $false' } else { $null }
                }
                catch { $reason = $_.Exception.Message.TrimEnd('.') }
                if (-not $reason) { break }
                Write-Verbose "${target}: health check attempt $attempts failed: $reason"
                if ([DateTime]::UtcNow.AddSeconds($HealthCheckInterval) -gt $deadline) {
                    $failedStep = "the health check ($attempts attempt(s))"
                    break
                }
                Start-Sleep -Seconds $HealthCheckInterval
            }
        }

        if (-not $failedStep) {
            return [pscustomobject]@{
                PSTypeName          = 'Dokkaa.Runbook.ImageRollout'
                App                 = $App
                Name                = $Name
                Image               = $Image
                PreviousImage       = $previous
                Status              = $status
                HealthCheckAttempts = $attempts
            }
        }

        Write-Warning "${target}: $failedStep failed ($reason); rolling back to $previous"
        $rollback = try {
            Update-DokkaaManifest -App $App -Name $Name -Image $previous -Confirm:$false @clusterArgs -ErrorAction Stop
            $restored = Wait-DokkaaManifest -App $App -Name $Name -Timeout $Timeout @clusterArgs -ErrorAction Stop
            "rolled back to $previous ($($restored.Running) of $($restored.Desired) running)"
        }
        catch {
            "the rollback to $previous failed too: $($_.Exception.Message.TrimEnd('.'))"
        }
        $PSCmdlet.ThrowTerminatingError([System.Management.Automation.ErrorRecord]::new(
            [System.InvalidOperationException]::new("Rollout of $Image to $target failed: $failedStep failed: $reason. $($rollback.Substring(0, 1).ToUpper())$($rollback.Substring(1))."),
            'DokkaaRolloutFailed', [System.Management.Automation.ErrorCategory]::OperationStopped, $target))
    }
}
