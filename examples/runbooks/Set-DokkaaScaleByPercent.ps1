#Requires -Version 7.4
# Dot-source this file to get the Set-DokkaaScaleByPercent function:  . ./Set-DokkaaScaleByPercent.ps1
# Needs the Dokkaa module (Import-Module Dokkaa).

function Set-DokkaaScaleByPercent {
    <#
    .SYNOPSIS
    Scales the manifests of an app (or one of them) up or down by a percentage, within bounds.

    .DESCRIPTION
    For each manifest, the new scale is the current scale changed by -Percent (+50 grows 4 to 6, -25
    shrinks 4 to 3), rounded to a whole number of instances (-Rounding: Nearest, halves away from zero,
    by default; Up; Down), then clamped to -Minimum..-Maximum.

    A manifest at scale 0 is stopped on purpose and is left alone (a percentage of nothing is nothing;
    use Update-DokkaaManifest -Scale to start it). A manifest whose scale does not change is not
    written. Invalid manifests are reported as errors and skipped; the others go on.

    Each change is a ShouldProcess call of its own: -WhatIf shows "scale 4 -> 6" per manifest and
    changes nothing, -Confirm asks before each. Each write is made with Update-DokkaaManifest against
    the ManifestInfo that was read, so a manifest someone changed in between is reported as
    DokkaaConflict rather than overwritten.

    .PARAMETER App
    The app whose manifests are scaled.

    .PARAMETER Name
    The manifest(s) to scale, wildcards allowed. Default: every manifest of the app.

    .PARAMETER InputObject
    Manifests from Get-DokkaaManifest, by pipeline.

    .PARAMETER Percent
    The change in percent: positive grows, negative shrinks. -100 would stop everything and is only
    reached with -Minimum 0.

    .PARAMETER Minimum
    The smallest scale the result may have (default 1: a percentage never stops a running manifest).

    .PARAMETER Maximum
    The largest scale the result may have (default 1000, the largest scale a manifest may have).

    .PARAMETER Rounding
    How a fractional scale is rounded: Nearest (halves away from zero: 2.5 -> 3), Up or Down.

    .PARAMETER Cluster
    The cluster to use instead of the session's (passed to the Dokkaa cmdlets).

    .EXAMPLE
    Set-DokkaaScaleByPercent -App shop -Percent 50 -WhatIf

    What if: Performing the operation "Scale +50 %: scale 4 -> 6" on target "shop/web".
    Shows what the evening peak would do to every manifest of shop; changes nothing.

    .EXAMPLE
    Set-DokkaaScaleByPercent -App shop -Name 'web*' -Percent -30 -Minimum 2 | Format-Table

    Shrinks the web manifests of shop by 30 %, never below 2 instances, and lists the changes.

    .EXAMPLE
    Get-DokkaaManifest -App shop | Where-Object { $_.Manifest.Image -like '*web*' } | Set-DokkaaScaleByPercent -Percent 100 -Maximum 20

    Doubles the manifests piped in, at most 20 instances each.

    .OUTPUTS
    Objects of type Dokkaa.Runbook.ScaleChange (App, Name, PreviousScale, Scale, Revision), one per
    manifest whose scale was changed.
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Medium', DefaultParameterSetName = 'Name')]
    [OutputType('Dokkaa.Runbook.ScaleChange')]
    param(
        [Parameter(Mandatory, Position = 0, ParameterSetName = 'Name')]
        [ValidateNotNullOrEmpty()]
        [string] $App,

        [Parameter(Position = 1, ParameterSetName = 'Name')]
        [ValidateNotNullOrEmpty()]
        [string] $Name = '*',

        [Parameter(Mandatory, ValueFromPipeline, ParameterSetName = 'InputObject')]
        [Dokkaa.Core.Operations.ManifestInfo] $InputObject,

        [Parameter(Mandatory)]
        [ValidateRange(-100, 10000)]
        [double] $Percent,

        [ValidateRange(0, 1000)]
        [int] $Minimum = 1,

        [ValidateRange(0, 1000)]
        [int] $Maximum = 1000,

        [ValidateSet('Nearest', 'Up', 'Down')]
        [string] $Rounding = 'Nearest',

        [object] $Cluster
    )

    begin {
        if ($Minimum -gt $Maximum) {
            $PSCmdlet.ThrowTerminatingError([System.Management.Automation.ErrorRecord]::new(
                [System.ArgumentException]::new("-Minimum ($Minimum) is larger than -Maximum ($Maximum)."),
                'DokkaaRunbookInvalidBounds', [System.Management.Automation.ErrorCategory]::InvalidArgument, $null))
        }
        $clusterArgs = @{}
        if ($PSBoundParameters.ContainsKey('Cluster')) { $clusterArgs.Cluster = $Cluster }
        $label = 'Scale {0}{1} %' -f $(if ($Percent -ge 0) { '+' } else { '' }), $Percent
    }

    process {
        $manifests = if ($PSCmdlet.ParameterSetName -eq 'InputObject') {
            @($InputObject)
        }
        else {
            @(Get-DokkaaManifest -App $App -Name $Name @clusterArgs -ErrorAction Stop)
        }
        if ($PSCmdlet.ParameterSetName -eq 'Name' -and $manifests.Count -eq 0) {
            $PSCmdlet.WriteError([System.Management.Automation.ErrorRecord]::new(
                [System.Management.Automation.ItemNotFoundException]::new("No manifest matches $App/$Name."),
                'DokkaaManifestNotFound', [System.Management.Automation.ErrorCategory]::ObjectNotFound, "$App/$Name"))
            return
        }

        foreach ($info in $manifests) {
            $target = "$($info.App)/$($info.Name)"
            if (-not $info.IsValid) {
                $PSCmdlet.WriteError([System.Management.Automation.ErrorRecord]::new(
                    [System.InvalidOperationException]::new("Manifest $target is invalid ($($info.Errors -join '; ')); it was not scaled."),
                    'DokkaaManifestInvalid', [System.Management.Automation.ErrorCategory]::InvalidData, $info))
                continue
            }
            $current = $info.Manifest.Scale
            if ($current -eq 0) {
                Write-Verbose "${target}: scale 0 (stopped) is left as it is"
                continue
            }

            # In decimal, not double: 5 * 0.7 is 3.4999999999999996 in double and would round to 3, not 4.
            $exact = [decimal]$current * (100 + [decimal]$Percent) / 100
            $rounded = switch ($Rounding) {
                'Nearest' { [Math]::Round($exact, [MidpointRounding]::AwayFromZero) }
                'Up' { [Math]::Ceiling($exact) }
                'Down' { [Math]::Floor($exact) }
            }
            $new = [int][Math]::Min([decimal]$Maximum, [Math]::Max([decimal]$Minimum, $rounded))
            if ($new -ne $rounded) { Write-Verbose "${target}: $exact rounded to $rounded, clamped to $new (bounds $Minimum..$Maximum)" }
            if ($new -eq $current) {
                Write-Verbose "${target}: scale stays $current"
                continue
            }

            if (-not $PSCmdlet.ShouldProcess($target, "${label}: scale $current -> $new")) { continue }
            try {
                $change = Update-DokkaaManifest -InputObject $info -Scale $new -PassThru -Confirm:$false @clusterArgs -ErrorAction Stop
            }
            catch {
                # DokkaaConflict, DokkaaClusterUnreachable ...: report it with its ErrorId and go on with the others.
                $PSCmdlet.WriteError($_)
                continue
            }
            [pscustomobject]@{
                PSTypeName    = 'Dokkaa.Runbook.ScaleChange'
                App           = $info.App
                Name          = $info.Name
                PreviousScale = $current
                Scale         = $new
                Revision      = $change.Revision
            }
        }
    }
}
