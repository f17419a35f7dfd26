#Requires -Version 7.4
# The maintenance story on real hosts: a 2-host `dokkaa dev` cluster (network namespaces, each with its own
# dockerd and agent, and an etcd on the cluster's bridge, all made by this suite and removed after it).
# Draining a host moves its instances to the other one, and the service keeps answering there.
#   DOKKAA_MODULE_PSD1   the built module (tests/Pester/run.sh sets it)
#   DOKKAA_CLI           the dokkaa executable (run.sh sets it)
#   DOKKAA_PESTER_DEV_STATE  where the dev cluster's state file goes (run.sh sets it)

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'DokkaaTestCluster.psm1') -Force
    $null = Import-DokkaaModuleUnderTest
    $script:Cli = $env:DOKKAA_CLI
    if (-not $Cli -or -not (Test-Path $Cli)) { throw 'DOKKAA_CLI is not set: run tests/Pester/run.sh, which builds the CLI' }
    # run.sh names the state file, so that it can take the cluster down if this run is cut short.
    $script:State = if ($env:DOKKAA_PESTER_DEV_STATE) { $env:DOKKAA_PESTER_DEV_STATE } else { Join-Path ([IO.Path]::GetTempPath()) "dokkaa-pester-dev-$PID/dev.json" }
    $null = New-Item -ItemType Directory -Force -Path (Split-Path $State)

    function Invoke-Dev([string[]] $Arguments) {
        $output = & $Cli dev @Arguments --state $State 2>&1
        if ($LASTEXITCODE -ne 0) { throw "dokkaa dev $Arguments failed ($LASTEXITCODE): $($output -join "`n")" }
        $output
    }

    function Wait-Until([scriptblock] $Condition, [string] $What, [int] $Seconds = 60) {
        Wait-DokkaaTestCondition -Condition $Condition -What $What -TimeoutSeconds $Seconds
    }

    # Its own names and networks, so it never meets the multi-host suite's clusters.
    Invoke-Dev @('up', '--hosts', '2', '--name', 'pstr', '--subnet', '10.215.0.0/24', '--container-subnet', '10.216.0.0/16',
        '--etcd-members', '1', '--lease-ttl', '2s', '--force') | Out-Null
    Invoke-Dev @('load', 'dokkaa/busybox:test') | Out-Null
    $script:Endpoint = ((Invoke-Dev @('env')) -match 'DOKKAA_ETCD=' | Select-Object -First 1) -replace '^export DOKKAA_ETCD=', ''
    Connect-DokkaaCluster $Endpoint | Out-Null
    Wait-Until { @(Get-DokkaaHost -ErrorAction SilentlyContinue).Count -eq 2 } 'both agents to register'
}

AfterAll {
    Get-DokkaaManifest -ErrorAction SilentlyContinue | Remove-DokkaaManifest -Confirm:$false -ErrorAction SilentlyContinue
    Disconnect-DokkaaCluster
    if (Test-Path $State) { & $Cli dev down --state $State 2>&1 | Out-Null }
}

Describe 'Draining a real host for maintenance' {
    It 'spreads a deployment over both hosts' {
        $status = '{ "image": "dokkaa/busybox:test", "scale": 2, "services": { "web": 80 } }' |
            Set-DokkaaManifest -App maint -Name web -PassThru | Wait-DokkaaManifest -Timeout 90s
        $status.Running | Should -Be 2
        (Get-DokkaaContainer -App maint -Name web).Host | Sort-Object | Should -Be @('h1', 'h2')
    }

    It 'Suspend-DokkaaHost moves the instance off h1, and the service answers on h2' {
        $moves = Get-DokkaaHost h1 | Suspend-DokkaaHost -Timeout 90s -Confirm:$false
        @($moves).Count | Should -Be 1
        $moves[0].FromHost | Should -Be 'h1'
        $moves[0].Id.ToString() | Should -BeLike 'maint/web/*'

        (Get-DokkaaHost h1).Draining | Should -BeTrue
        (Get-DokkaaHost h1).Instances | Should -Be 0
        $containers = Get-DokkaaContainer -App maint -Name web
        $containers.Host | Should -Be @('h2', 'h2')
        $containers.State | Should -Be @('Running', 'Running')
        foreach ($endpoint in Resolve-DokkaaService web.maint) {
            $endpoint.Address | Should -Be '10.215.0.12'
            (Invoke-WebRequest "http://$($endpoint.Address):$($endpoint.Port)/" -TimeoutSec 5).Content.Trim() | Should -Be 'ok'
        }
    }

    It 'a drained host takes nothing new: scaling up places on h2 only' {
        Update-DokkaaManifest -App maint -Name web -Scale 3 -PassThru -Confirm:$false | Wait-DokkaaManifest -Timeout 90s | Out-Null
        (Get-DokkaaContainer -App maint -Name web).Host | Should -Be @('h2', 'h2', 'h2')
    }

    It 'Resume-DokkaaHost brings h1 back and Optimize-DokkaaPlacement spreads again' {
        (Resume-DokkaaHost h1 -PassThru -Confirm:$false).Draining | Should -BeFalse
        $moves = Optimize-DokkaaPlacement -Timeout 90s -Confirm:$false
        @($moves).Count | Should -Be 1
        $hosts = (Get-DokkaaContainer -App maint -Name web).Host | Group-Object -NoElement | Sort-Object Name
        $hosts.Name | Should -Be @('h1', 'h2')
        $hosts | ForEach-Object Count | Should -Be @(1, 2)
        (Get-DokkaaStatus -App maint -Name web).Converged | Should -BeTrue
    }

    It 'removing the manifest stops every instance on both hosts' {
        Remove-DokkaaManifest -App maint -Name web -Confirm:$false
        function Get-MaintContainer {
            foreach ($h in 'h1', 'h2') {
                docker -H "unix:///run/dokkaa-dev/pstr/$h/docker.sock" ps -a --format '{{.Names}}' | Where-Object { $_ -like 'maint---*' }
            }
        }
        Wait-Until { @(Get-DokkaaContainer -App 'maint*').Count -eq 0 -and @(Get-MaintContainer).Count -eq 0 } 'the claims and containers to go'
        Get-DokkaaStatus -App 'maint*' | Should -BeNullOrEmpty
    }
}
