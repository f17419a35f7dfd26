#Requires -Version 7.4
# A real Dokkaa test cluster for Pester suites: one etcd member on free loopback ports and zero or more
# real dokkaa-agents on the local Docker, each with its own host id, data directory and ambassador ports.
# The agents serve no DNS and no HTTP routing (--dns-listen none, --http-listen none), so suites that run
# at the same time on one machine do not fight over ports 53 and 80.
#
#   $cluster = Start-DokkaaTestCluster -Name rbscale -Hosts 1 -AmbassadorPorts 43200-43299
#   ...      # $cluster.Endpoint, $cluster.HostId, $cluster.HostIds, $cluster.WorkDir
#   Stop-DokkaaTestCluster $cluster -App rbscale
#
# The Dokkaa module must be imported by the caller (the cluster is polled with Get-DokkaaHost).
# Every wait polls with a deadline; nothing sleeps as a means of synchronisation.

Set-StrictMode -Version 3.0

function Get-DokkaaTestFreePort {
    <#
    .SYNOPSIS
    Returns a TCP port on the loopback interface that nothing listens on right now.
    #>
    [CmdletBinding()]
    [OutputType([int])]
    param()
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $listener.Start()
    try { $listener.LocalEndpoint.Port } finally { $listener.Stop() }
}

function Wait-DokkaaTestCondition {
    <#
    .SYNOPSIS
    Polls a condition until it is true, or throws naming what it waited for once the deadline has passed.
    .PARAMETER Condition
    Evaluated until its result is true. An exception counts as false.
    .PARAMETER What
    Named in the timeout message.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory, Position = 0)] [scriptblock] $Condition,
        [Parameter(Mandatory, Position = 1)] [string] $What,
        [ValidateRange(1, 3600)] [int] $TimeoutSeconds = 60,
        [ValidateRange(10, 10000)] [int] $IntervalMilliseconds = 200
    )
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    while ($true) {
        $met = try { [bool](& $Condition) } catch { $false }
        if ($met) { return }
        if ([DateTime]::UtcNow -gt $deadline) { throw "Timed out after $TimeoutSeconds s waiting for $What" }
        Start-Sleep -Milliseconds $IntervalMilliseconds
    }
}

function Split-DokkaaTestPortRange([string] $Range, [int] $Parts) {
    if ($Range -notmatch '^(\d+)-(\d+)$') { throw "AmbassadorPorts must be FIRST-LAST, not '$Range'" }
    $first = [int]$Matches[1]; $last = [int]$Matches[2]
    $size = [Math]::Floor(($last - $first + 1) / $Parts)
    if ($size -lt 2) { throw "AmbassadorPorts $Range is too small for $Parts agent(s)" }
    for ($i = 0; $i -lt $Parts; $i++) { '{0}-{1}' -f ($first + $i * $size), ($first + ($i + 1) * $size - 1) }
}

function Stop-DokkaaTestProcess([System.Diagnostics.Process] $Process) {
    if (-not $Process -or $Process.HasExited) { return }
    # SIGTERM first, so the agent and etcd end cleanly; SIGKILL when that takes too long.
    & kill -TERM $Process.Id 2>$null
    if (-not $Process.WaitForExit(15000)) {
        $Process.Kill($true)
        $null = $Process.WaitForExit(5000)
    }
}

function Import-DokkaaModuleUnderTest {
    <#
    .SYNOPSIS
    Imports the built Dokkaa module into the session (globally) and returns its Dokkaa.psd1 path:
    $env:DOKKAA_MODULE_PSD1 (tests/Pester/run.sh sets it), else the newest build under out/Dokkaa.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param()
    $psd1 = $env:DOKKAA_MODULE_PSD1
    if (-not $psd1) {
        $psd1 = Get-ChildItem (Join-Path $PSScriptRoot '..' '..' 'out' 'Dokkaa') -Recurse -Filter Dokkaa.psd1 -ErrorAction SilentlyContinue |
            Sort-Object LastWriteTime -Descending | Select-Object -First 1 -ExpandProperty FullName
    }
    if (-not $psd1 -or -not (Test-Path $psd1)) { throw 'Build the module first: scripts/build-module.sh (or run tests/Pester/run.sh)' }
    Import-Module $psd1 -Global -Force -ErrorAction Stop
    $psd1
}

function Start-DokkaaTestCluster {
    <#
    .SYNOPSIS
    Starts etcd and the given number of real dokkaa-agents for a test suite.
    .DESCRIPTION
    Returns an object with Endpoint (etcd client URL), HostIds (one per agent), HostId (the first), Etcd
    and Agents (the processes), AmbassadorPorts (one range per agent) and WorkDir (logs and data). Pass
    it to Stop-DokkaaTestCluster in AfterAll. When anything fails to come up, what was started is stopped
    again and the error names the log to read.
    .PARAMETER Name
    A prefix for the host ids and the work directory (use the suite's app name).
    .PARAMETER Hosts
    How many agents to start (0: etcd only).
    .PARAMETER AmbassadorPorts
    A port range no other suite uses; it is split evenly between the agents.
    .PARAMETER Agent
    The dokkaa-agent executable; tests/Pester/run.sh sets $env:DOKKAA_PESTER_AGENT.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] [ValidatePattern('^[a-z0-9]+$')] [string] $Name,
        [ValidateRange(0, 5)] [int] $Hosts = 1,
        [string] $AmbassadorPorts = '43200-43299',
        [string] $LeaseTtl = '3s',
        [string] $Agent = $env:DOKKAA_PESTER_AGENT,
        [ValidateRange(5, 600)] [int] $StartTimeoutSeconds = 60
    )
    if ($Hosts -gt 0 -and (-not $Agent -or -not (Test-Path $Agent))) {
        throw "No dokkaa-agent to start: set `$env:DOKKAA_PESTER_AGENT (tests/Pester/run.sh builds it) or pass -Agent"
    }
    if ($Hosts -gt 0 -and -not (Get-Command Get-DokkaaHost -ErrorAction SilentlyContinue)) {
        throw 'Import the Dokkaa module before Start-DokkaaTestCluster: it polls the agents with Get-DokkaaHost'
    }

    $work = New-Item -ItemType Directory -Path (Join-Path ([IO.Path]::GetTempPath()) "dokkaa-$Name-$([guid]::NewGuid().ToString('N').Substring(0, 8))")
    $cluster = [pscustomobject]@{
        PSTypeName      = 'Dokkaa.TestCluster'
        Name            = $Name
        Endpoint        = $null
        HostId          = $null
        HostIds         = @()
        Etcd            = $null
        Agents          = @()
        AmbassadorPorts = @()
        WorkDir         = $work.FullName
    }
    try {
        $clientPort = Get-DokkaaTestFreePort
        $peerPort = Get-DokkaaTestFreePort
        $cluster.Endpoint = "http://127.0.0.1:$clientPort"
        $cluster.Etcd = Start-Process -FilePath etcd -PassThru `
            -RedirectStandardOutput (Join-Path $work 'etcd.out') -RedirectStandardError (Join-Path $work 'etcd.err') `
            -ArgumentList @('--name', $Name, '--data-dir', (Join-Path $work 'etcd'),
                '--listen-client-urls', $cluster.Endpoint, '--advertise-client-urls', $cluster.Endpoint,
                '--listen-peer-urls', "http://127.0.0.1:$peerPort", '--initial-advertise-peer-urls', "http://127.0.0.1:$peerPort",
                '--initial-cluster', "$Name=http://127.0.0.1:$peerPort")
        $endpoint = $cluster.Endpoint
        $etcd = $cluster.Etcd
        Wait-DokkaaTestCondition -TimeoutSeconds $StartTimeoutSeconds -What "etcd at $endpoint to answer (see $work/etcd.err)" {
            if ($etcd.HasExited) { throw 'etcd exited' }
            (Invoke-RestMethod "$endpoint/health" -TimeoutSec 1).health -eq 'true'
        }

        if ($Hosts -gt 0) {
            $ranges = @(Split-DokkaaTestPortRange $AmbassadorPorts $Hosts)
            $suffix = Get-Random -Maximum 99999
            for ($i = 0; $i -lt $Hosts; $i++) {
                $hostId = "$Name$suffix-h$($i + 1)"
                $agentProcess = Start-Process -FilePath $Agent -PassThru `
                    -RedirectStandardOutput (Join-Path $work "$hostId.out") -RedirectStandardError (Join-Path $work "$hostId.err") `
                    -ArgumentList @('--etcd', $endpoint, '--host-id', $hostId, '--host-ip', '127.0.0.1', '--lease-ttl', $LeaseTtl,
                        '--data-dir', (Join-Path $work $hostId), '--ambassador-ports', $ranges[$i],
                        '--dns-listen', 'none', '--http-listen', 'none')
                $cluster.HostIds += $hostId
                $cluster.Agents += $agentProcess
                $cluster.AmbassadorPorts += $ranges[$i]
            }
            $cluster.HostId = $cluster.HostIds[0]
            $expected = $cluster.HostIds
            $agents = $cluster.Agents
            Wait-DokkaaTestCondition -TimeoutSeconds $StartTimeoutSeconds -What "agents $($expected -join ', ') to register (logs in $work)" {
                if (@($agents | Where-Object HasExited).Count) { throw 'an agent exited' }
                $live = @(Get-DokkaaHost -Cluster $endpoint -ErrorAction Stop).Name
                @($expected | Where-Object { $_ -notin $live }).Count -eq 0
            }
        }
        $cluster
    }
    catch {
        Stop-DokkaaTestCluster -Cluster $cluster -ErrorAction SilentlyContinue -KeepWorkDir
        throw
    }
}

function Stop-DokkaaTestCluster {
    <#
    .SYNOPSIS
    Removes what a suite left in the cluster, then stops the agents and etcd and deletes the work directory.
    .DESCRIPTION
    The manifests of -App (all manifests when -App is not given) are removed while the agents still run,
    and the agents are given up to -TimeoutSeconds to remove their containers. Then the processes are
    stopped (SIGTERM, then SIGKILL), and any container still labelled with one of the cluster's host ids
    is removed with docker rm -f, so nothing is left behind even when an agent did not finish.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory, Position = 0)] [AllowNull()] [psobject] $Cluster,
        [string[]] $App = @('*'),
        [ValidateRange(1, 600)] [int] $TimeoutSeconds = 60,
        [switch] $KeepWorkDir
    )
    if (-not $Cluster) { return }
    $endpoint = $Cluster.Endpoint
    $agentsLive = @($Cluster.Agents | Where-Object { $_ -and -not $_.HasExited }).Count -gt 0
    if ($endpoint -and $Cluster.Etcd -and -not $Cluster.Etcd.HasExited -and (Get-Command Get-DokkaaManifest -ErrorAction SilentlyContinue)) {
        foreach ($pattern in $App) {
            Get-DokkaaManifest -App $pattern -Cluster $endpoint -ErrorAction SilentlyContinue -WarningAction SilentlyContinue |
                Remove-DokkaaManifest -Cluster $endpoint -Confirm:$false -ErrorAction SilentlyContinue
        }
        if ($agentsLive) {
            try {
                Wait-DokkaaTestCondition -TimeoutSeconds $TimeoutSeconds -What 'the agents to remove the containers' {
                    # A name without wildcards that matches nothing is an ObjectNotFound error: that is "none left".
                    $left = foreach ($pattern in $App) {
                        Get-DokkaaContainer -App $pattern -Cluster $endpoint -ErrorAction SilentlyContinue -ErrorVariable failed
                        if ($failed | Where-Object { $_.CategoryInfo.Category -ne 'ObjectNotFound' }) { throw $failed[0] }
                    }
                    @($left).Count -eq 0
                }
            }
            catch { Write-Warning $_ }
        }
    }
    foreach ($agentProcess in $Cluster.Agents) { Stop-DokkaaTestProcess $agentProcess }
    foreach ($hostId in $Cluster.HostIds) {
        $left = @(& docker ps -aq --filter "label=io.dokkaa.host=$hostId" 2>$null)
        if ($left.Count) {
            Write-Warning "Removing $($left.Count) container(s) the agent $hostId left behind"
            & docker rm -f @left *> $null
        }
    }
    Stop-DokkaaTestProcess $Cluster.Etcd
    if (-not $KeepWorkDir -and $Cluster.WorkDir) { Remove-Item -Recurse -Force $Cluster.WorkDir -ErrorAction SilentlyContinue }
}

Export-ModuleMember -Function Import-DokkaaModuleUnderTest, Get-DokkaaTestFreePort, Wait-DokkaaTestCondition, Start-DokkaaTestCluster, Stop-DokkaaTestCluster
