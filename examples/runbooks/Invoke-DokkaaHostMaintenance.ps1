#Requires -Version 7.4
# Dot-source this file to get the Invoke-DokkaaHostMaintenance function:  . ./Invoke-DokkaaHostMaintenance.ps1
# Needs the Dokkaa module (Import-Module Dokkaa).

function Invoke-DokkaaHostMaintenance {
    <#
    .SYNOPSIS
    Drains a host, runs a maintenance script block, and puts the host back into service, even when the
    maintenance fails.

    .DESCRIPTION
    1. Checks that the host is live (Get-DokkaaHost).
    2. Drains it with Suspend-DokkaaHost -Timeout: it takes nothing new and its instances move to other
       hosts one at a time. If the drain fails (an instance that fits nowhere else, a move that times
       out), the maintenance is not run.
    3. Runs -ScriptBlock with the HostInfo as its only argument. Any error in it counts as a failure
       (it runs with $ErrorActionPreference = 'Stop'), and so does a native command that exits non-zero
       when $PSNativeCommandUseErrorActionPreference is set.
    4. Always (try/finally: also after a failed drain or a failed maintenance, and when Ctrl+C stops
       the maintenance) resumes the host with Resume-DokkaaHost.
    5. With -Rebalance, and only when the maintenance succeeded, runs Optimize-DokkaaPlacement to spread
       the instances over all hosts again; moves that fail are reported as warnings.

    A failed drain or maintenance is thrown afterwards as DokkaaMaintenanceFailed, naming the step, the
    host and the reason, and saying whether the host was resumed.

    .PARAMETER HostName
    The host to maintain (binds the Name of a HostInfo from Get-DokkaaHost).

    .PARAMETER ScriptBlock
    The maintenance, called as & $ScriptBlock $HostInfo (declare param($HostInfo) to use it). Its
    output is returned in the result's MaintenanceOutput.

    .PARAMETER Timeout
    Seconds Suspend-DokkaaHost (and Optimize-DokkaaPlacement) wait for each instance to run elsewhere.
    Whole seconds.

    .PARAMETER Rebalance
    Run Optimize-DokkaaPlacement after a successful maintenance.

    .PARAMETER Cluster
    The cluster to use instead of the session's (passed to the Dokkaa cmdlets).

    .EXAMPLE
    Invoke-DokkaaHostMaintenance h2 { param($HostInfo) ssh $HostInfo.Address 'sudo apt-get -y upgrade && sudo reboot' } -Timeout 300 -Rebalance

    Empties h2, patches and reboots it, puts it back into service and spreads the instances again.

    .EXAMPLE
    Get-DokkaaHost 'rack2-*' | Invoke-DokkaaHostMaintenance -ScriptBlock { param($HostInfo) Update-Firmware $HostInfo.Name } -WhatIf

    Lists what would be done to each host of rack 2; changes nothing.

    .OUTPUTS
    Dokkaa.Runbook.HostMaintenance: HostName, Moved (InstanceMove objects from the drain),
    MaintenanceOutput, Resumed, Rebalanced (InstanceMove objects from Optimize-DokkaaPlacement).
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Medium')]
    [OutputType('Dokkaa.Runbook.HostMaintenance')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipelineByPropertyName)]
        [Alias('Name')]
        [ValidateNotNullOrEmpty()]
        [string] $HostName,

        [Parameter(Mandatory, Position = 1)]
        [scriptblock] $ScriptBlock,

        [ValidateRange(1, 86400)]
        [int] $Timeout = 300,

        [switch] $Rebalance,

        [object] $Cluster
    )

    process {
        $clusterArgs = @{}
        if ($PSBoundParameters.ContainsKey('Cluster')) { $clusterArgs.Cluster = $Cluster }

        $hostInfo = Get-DokkaaHost -Name $HostName @clusterArgs -ErrorAction Stop | Where-Object Name -eq $HostName
        if (-not $hostInfo) {
            $PSCmdlet.WriteError([System.Management.Automation.ErrorRecord]::new(
                [System.Management.Automation.ItemNotFoundException]::new("Host $HostName is not live; nothing was done."),
                'DokkaaHostNotFound', [System.Management.Automation.ErrorCategory]::ObjectNotFound, $HostName))
            return
        }
        $action = "Drain (moving its $($hostInfo.Instances) instance(s) away), run the maintenance, resume" + $(if ($Rebalance) { ', rebalance' } else { '' })
        if (-not $PSCmdlet.ShouldProcess($HostName, $action)) { return }

        $result = [pscustomobject]@{
            PSTypeName        = 'Dokkaa.Runbook.HostMaintenance'
            HostName          = $HostName
            Moved             = @()
            MaintenanceOutput = @()
            Resumed           = $false
            Rebalanced        = @()
        }
        $failedStep = $null
        $reason = $null
        $marked = $false
        $resumeError = $null
        try {
            $marked = $true
            try {
                $result.Moved = @(Suspend-DokkaaHost -HostName $HostName -Timeout $Timeout -Confirm:$false @clusterArgs -ErrorAction Stop -WarningAction SilentlyContinue)
            }
            catch {
                # Not found: nothing was marked. Conflict or timeout: the host stays drained until resumed below.
                if ($_.FullyQualifiedErrorId -like 'DokkaaHostNotFound*') { $marked = $false }
                $failedStep = 'the drain'
                $reason = $_.Exception.Message.TrimEnd('.')
            }
            if (-not $failedStep) {
                Write-Verbose "${HostName}: drained, $($result.Moved.Count) instance(s) moved; running the maintenance"
                try {
                    $result.MaintenanceOutput = @(& {
                            $ErrorActionPreference = 'Stop'
                            & $ScriptBlock $hostInfo
                        })
                }
                catch {
                    $failedStep = 'the maintenance'
                    $reason = $_.Exception.Message.TrimEnd('.')
                }
            }
        }
        finally {
            # Runs on success, on failure of the drain or the maintenance, and when the pipeline is stopped (Ctrl+C).
            if ($marked) {
                try {
                    Resume-DokkaaHost -HostName $HostName -Confirm:$false @clusterArgs -ErrorAction Stop
                    $result.Resumed = $true
                    Write-Verbose "${HostName}: resumed"
                }
                catch {
                    Write-Warning "$HostName could not be resumed: $($_.Exception.Message). Run Resume-DokkaaHost $HostName."
                    $resumeError = $_.Exception.Message.TrimEnd('.')
                }
            }
        }

        if ($failedStep) {
            $after = if ($result.Resumed) { "$HostName was resumed." } elseif ($marked) { "$HostName could NOT be resumed ($resumeError): run Resume-DokkaaHost $HostName." } else { "Nothing was changed." }
            $PSCmdlet.ThrowTerminatingError([System.Management.Automation.ErrorRecord]::new(
                [System.InvalidOperationException]::new("Maintenance of $HostName failed: $failedStep failed: $reason. $after"),
                'DokkaaMaintenanceFailed', [System.Management.Automation.ErrorCategory]::OperationStopped, $HostName))
        }
        if (-not $result.Resumed) {
            # The maintenance went well but the host is still drained: the caller must know.
            $PSCmdlet.WriteError([System.Management.Automation.ErrorRecord]::new(
                [System.InvalidOperationException]::new("Maintenance of $HostName succeeded, but $HostName could not be resumed ($resumeError): run Resume-DokkaaHost $HostName."),
                'DokkaaResumeFailed', [System.Management.Automation.ErrorCategory]::OperationStopped, $HostName))
            return $result
        }

        if ($Rebalance) {
            $result.Rebalanced = @(Optimize-DokkaaPlacement -Timeout $Timeout -Confirm:$false @clusterArgs -ErrorAction SilentlyContinue -ErrorVariable moveErrors)
            foreach ($moveError in $moveErrors) { Write-Warning "Rebalance: $($moveError.Exception.Message)" }
            Write-Verbose "Rebalance: $($result.Rebalanced.Count) instance(s) moved, $(@($moveErrors).Count) move(s) failed"
        }
        $result
    }
}
