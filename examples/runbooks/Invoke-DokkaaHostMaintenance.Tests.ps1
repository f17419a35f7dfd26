#Requires -Version 7.4
# Pester 5 tests of Invoke-DokkaaHostMaintenance: unit tests with the Dokkaa cmdlets mocked, and a real
# drain / maintenance / resume / rebalance on a cluster of two real dokkaa-agents. Run with:
#   bash tests/Pester/run.sh examples/runbooks

BeforeAll {
    $script:Root = (Resolve-Path (Join-Path $PSScriptRoot '..' '..')).Path
    Import-Module (Join-Path $Root 'tests' 'Pester' 'DokkaaTestCluster.psm1') -Force
    $null = Import-DokkaaModuleUnderTest
    Import-Module (Join-Path $Root 'tests' 'Pester' 'DokkaaFakes.psm1') -Force
    . (Join-Path $PSScriptRoot 'Invoke-DokkaaHostMaintenance.ps1')
}

Describe 'Invoke-DokkaaHostMaintenance (mocked cluster)' {
    BeforeEach {
        # What happened, in order: the mocks and the maintenance append to it.
        $script:Steps = [System.Collections.Generic.List[string]]::new()
        Mock Get-DokkaaHost { New-FakeHostInfo -Name h2 -Instances 2 }
        Mock Suspend-DokkaaHost {
            $Steps.Add("suspend $HostName")
            New-FakeInstanceMove -App shop -Name web -Instance 1 -FromHost $HostName
            New-FakeInstanceMove -App shop -Name worker -Instance 2 -FromHost $HostName
        }
        Mock Resume-DokkaaHost { $Steps.Add("resume $HostName") }
        Mock Optimize-DokkaaPlacement { $Steps.Add('optimize'); New-FakeInstanceMove -App shop -Name web -Instance 3 -FromHost h1 }
        $script:Patch = { param($HostInfo) $Steps.Add("patch $($HostInfo.Name) at $($HostInfo.Address)"); 'patched' }
    }

    It 'drains, runs the maintenance with the HostInfo, resumes, in that order' {
        $result = Invoke-DokkaaHostMaintenance -HostName h2 -ScriptBlock $Patch -Timeout 45 -Confirm:$false
        $Steps | Should -Be @('suspend h2', 'patch h2 at 10.0.0.12', 'resume h2')
        $result.PSObject.TypeNames | Should -Contain 'Dokkaa.Runbook.HostMaintenance'
        $result.HostName | Should -Be 'h2'
        $result.Moved.Id.Name | Should -Be @('web', 'worker')
        $result.MaintenanceOutput | Should -Be 'patched'
        $result.Resumed | Should -BeTrue
        $result.Rebalanced | Should -BeNullOrEmpty
        Should -Invoke Suspend-DokkaaHost -Times 1 -Exactly -ParameterFilter { $HostName -eq 'h2' -and $Timeout -eq 45 }
        Should -Invoke Resume-DokkaaHost -Times 1 -Exactly -ParameterFilter { $HostName -eq 'h2' }
        Should -Invoke Optimize-DokkaaPlacement -Times 0 -Exactly
    }

    It 'resumes the host when the maintenance throws, and throws naming the step' {
        { Invoke-DokkaaHostMaintenance h2 { $Steps.Add('patch'); throw 'disk full' } -Rebalance -Confirm:$false } |
            Should -Throw -ErrorId 'DokkaaMaintenanceFailed*' -ExpectedMessage 'Maintenance of h2 failed: the maintenance failed: disk full. h2 was resumed.'
        $Steps | Should -Be @('suspend h2', 'patch', 'resume h2')
        Should -Invoke Resume-DokkaaHost -Times 1 -Exactly -ParameterFilter { $HostName -eq 'h2' }
        # No rebalance onto a host whose maintenance failed.
        Should -Invoke Optimize-DokkaaPlacement -Times 0 -Exactly
    }

    It 'counts a non-terminating error in the maintenance as a failure' {
        { Invoke-DokkaaHostMaintenance h2 { Write-Error 'apt-get: 3 packages failed'; $Steps.Add('went on') } -Confirm:$false } |
            Should -Throw -ErrorId 'DokkaaMaintenanceFailed*' -ExpectedMessage '*the maintenance failed: apt-get: 3 packages failed. h2 was resumed.'
        $Steps | Should -Be @('suspend h2', 'resume h2')
    }

    It 'does not run the maintenance when the drain fails, and resumes the host it left drained' {
        Mock Suspend-DokkaaHost {
            $Steps.Add('suspend')
            throw (New-FakeDokkaaError -ErrorId 'DokkaaConflict,Dokkaa.PowerShell.Commands.SuspendDokkaaHostCommand' -Message 'Instance shop/gpu/1 cannot move off h2: no other host fits it. It keeps running where it is.' -Category ResourceBusy)
        }
        # One full stop between the module's message and the runbook's sentence, not two.
        { Invoke-DokkaaHostMaintenance h2 $Patch -Confirm:$false } |
            Should -Throw -ErrorId 'DokkaaMaintenanceFailed*' -ExpectedMessage 'Maintenance of h2 failed: the drain failed: Instance shop/gpu/1 cannot move off h2: no other host fits it. It keeps running where it is. h2 was resumed.'
        $Steps | Should -Be @('suspend', 'resume h2')
    }

    It 'resumes nothing when the host vanished before the drain' {
        Mock Suspend-DokkaaHost { throw (New-FakeDokkaaError -ErrorId 'DokkaaHostNotFound,Dokkaa.PowerShell.Commands.SuspendDokkaaHostCommand' -Message 'host h2 is not live' -Category ObjectNotFound) }
        { Invoke-DokkaaHostMaintenance h2 $Patch -Confirm:$false } |
            Should -Throw -ErrorId 'DokkaaMaintenanceFailed*' -ExpectedMessage '*the drain failed: host h2 is not live. Nothing was changed.'
        Should -Invoke Resume-DokkaaHost -Times 0 -Exactly
    }

    It 'refuses a host that is not live before changing anything' {
        Mock Get-DokkaaHost { }
        Invoke-DokkaaHostMaintenance nosuch $Patch -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable failed | Should -BeNullOrEmpty
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'DokkaaHostNotFound*'
        $failed[0].Exception.Message | Should -Be 'Host nosuch is not live; nothing was done.'
        Should -Invoke Suspend-DokkaaHost -Times 0 -Exactly
        Should -Invoke Resume-DokkaaHost -Times 0 -Exactly
        $Steps.Count | Should -Be 0
    }

    It '-WhatIf drains nothing, runs nothing and resumes nothing' {
        Invoke-DokkaaHostMaintenance h2 $Patch -Rebalance -WhatIf | Should -BeNullOrEmpty
        $Steps.Count | Should -Be 0
        Should -Invoke Suspend-DokkaaHost -Times 0 -Exactly
        Should -Invoke Resume-DokkaaHost -Times 0 -Exactly
        Should -Invoke Optimize-DokkaaPlacement -Times 0 -Exactly
    }

    It '-Rebalance spreads the instances again after the host is back' {
        $result = Invoke-DokkaaHostMaintenance h2 $Patch -Rebalance -Timeout 60 -Confirm:$false
        $Steps | Should -Be @('suspend h2', 'patch h2 at 10.0.0.12', 'resume h2', 'optimize')
        $result.Rebalanced.Id.Instance | Should -Be 3
        Should -Invoke Optimize-DokkaaPlacement -Times 1 -Exactly -ParameterFilter { $Timeout -eq 60 }
    }

    It 'reports the rebalance moves that failed as warnings and still returns' {
        Mock Optimize-DokkaaPlacement { Write-Error -Message 'shop/gpu/1 fits on no other host' -ErrorId DokkaaConflict -Category ResourceBusy }
        $result = Invoke-DokkaaHostMaintenance h2 $Patch -Rebalance -Confirm:$false -WarningVariable warned -WarningAction SilentlyContinue
        $result.Resumed | Should -BeTrue
        $result.Rebalanced | Should -BeNullOrEmpty
        @($warned.Message) | Should -Contain 'Rebalance: shop/gpu/1 fits on no other host'
    }

    It 'says loudly when the host cannot be resumed' {
        Mock Resume-DokkaaHost { throw (New-FakeDokkaaError -ErrorId 'DokkaaClusterUnreachable' -Message 'no etcd member answered' -Category ConnectionError) }
        $result = Invoke-DokkaaHostMaintenance h2 $Patch -Rebalance -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable failed -WarningAction SilentlyContinue
        $result.Resumed | Should -BeFalse
        ($failed | Where-Object FullyQualifiedErrorId -like 'DokkaaResumeFailed*').Exception.Message |
            Should -Be 'Maintenance of h2 succeeded, but h2 could not be resumed (no etcd member answered): run Resume-DokkaaHost h2.'
        Should -Invoke Optimize-DokkaaPlacement -Times 0 -Exactly
        { Invoke-DokkaaHostMaintenance h2 { throw 'boom' } -Confirm:$false -WarningAction SilentlyContinue } |
            Should -Throw -ErrorId 'DokkaaMaintenanceFailed*' -ExpectedMessage '*the maintenance failed: boom. h2 could NOT be resumed (no etcd member answered): run Resume-DokkaaHost h2.'
    }

    It 'takes hosts from Get-DokkaaHost through the pipeline' {
        $results = New-FakeHostInfo -Name h2 | Invoke-DokkaaHostMaintenance -ScriptBlock $Patch -Confirm:$false
        $results.HostName | Should -Be 'h2'
        Should -Invoke Suspend-DokkaaHost -Times 1 -Exactly -ParameterFilter { $HostName -eq 'h2' }
    }

    It 'validates its parameters' {
        { Invoke-DokkaaHostMaintenance '' $Patch } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
        { Invoke-DokkaaHostMaintenance h2 $Patch -Timeout 0 } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
        Should -Invoke Get-DokkaaHost -Times 0 -Exactly
    }
}

Describe 'Invoke-DokkaaHostMaintenance against a real cluster of two agents' {
    BeforeAll {
        $script:Cluster = Start-DokkaaTestCluster -Name rbmaint -Hosts 2 -AmbassadorPorts 43260-43299
        $script:Endpoint = $Cluster.Endpoint
        $script:Target, $script:Other = $Cluster.HostIds
        '{ "image": "dokkaa/busybox:test", "scale": 2, "services": { "web": 80 } }' | Set-DokkaaManifest -App rbmaint -Name web -Cluster $Endpoint
        Wait-DokkaaManifest -App rbmaint -Name web -Timeout 120 -Cluster $Endpoint | Out-Null
        # On a busy machine one agent can claim both instances before the other one gets to its own:
        # spread them (a no-op when they already are), so the tests start from one instance per host.
        Optimize-DokkaaPlacement -Timeout 90 -Cluster $Endpoint -ErrorAction Stop | Out-Null
        function Get-Spread {
            $containers = @(Get-DokkaaContainer -App rbmaint -Cluster $Endpoint | Where-Object State -eq 'Running')
            @{ $Target = @($containers | Where-Object Host -eq $Target).Count; $Other = @($containers | Where-Object Host -eq $Other).Count }
        }
    }
    AfterAll {
        Stop-DokkaaTestCluster $Cluster -App rbmaint
    }

    It 'starts with the instances spread over both hosts' {
        $spread = Get-Spread
        $spread[$Target] | Should -Be 1
        $spread[$Other] | Should -Be 1
    }

    It 'empties the host for the maintenance, resumes it and spreads the instances again' {
        $script:During = $null
        $result = Invoke-DokkaaHostMaintenance -HostName $Target -Timeout 90 -Rebalance -Cluster $Endpoint -Confirm:$false -ScriptBlock {
            param($HostInfo)
            $script:During = [pscustomobject]@{
                Draining   = (Get-DokkaaHost -Name $HostInfo.Name -Cluster $Endpoint).Draining
                OnTarget   = @(Get-DokkaaContainer -App rbmaint -HostName $HostInfo.Name -Cluster $Endpoint -ErrorAction SilentlyContinue).Count  # none there: ObjectNotFound, silenced
                Converged  = (Get-DokkaaStatus -App rbmaint -Name web -Cluster $Endpoint).Converged
            }
        }
        $During.Draining | Should -BeTrue
        $During.OnTarget | Should -Be 0
        $During.Converged | Should -BeTrue
        $result.Moved.FromHost | Should -Be $Target
        $result.Resumed | Should -BeTrue
        @($result.Rebalanced).Count | Should -Be 1
        (Get-DokkaaHost -Name $Target -Cluster $Endpoint).Draining | Should -BeFalse
        Wait-DokkaaManifest -App rbmaint -Name web -Timeout 120 -Cluster $Endpoint | Out-Null
        $spread = Get-Spread
        $spread[$Target] | Should -Be 1
        $spread[$Other] | Should -Be 1
    }

    It 'resumes the host when the maintenance fails' {
        { Invoke-DokkaaHostMaintenance $Target { throw 'firmware update failed' } -Timeout 90 -Cluster $Endpoint -Confirm:$false } |
            Should -Throw -ErrorId 'DokkaaMaintenanceFailed*' -ExpectedMessage "Maintenance of $Target failed: the maintenance failed: firmware update failed. $Target was resumed."
        (Get-DokkaaHost -Name $Target -Cluster $Endpoint).Draining | Should -BeFalse
        (Wait-DokkaaManifest -App rbmaint -Name web -Timeout 120 -Cluster $Endpoint).Running | Should -Be 2
        (Get-Spread)[$Other] | Should -Be 2
    }

    It 'resumes the host when the maintenance is stopped with Ctrl+C' {
        $runbook = Join-Path $PSScriptRoot 'Invoke-DokkaaHostMaintenance.ps1'
        $ps = [powershell]::Create()
        try {
            # The maintenance stands for a long job (an upgrade) that the operator interrupts.
            $null = $ps.AddScript("Import-Module '$(Join-Path (Get-Module Dokkaa).ModuleBase 'Dokkaa.psd1')'; . '$runbook'
                Invoke-DokkaaHostMaintenance '$Target' { Start-Sleep -Seconds 600 } -Timeout 90 -Cluster '$Endpoint' -Confirm:`$false")
            $async = $ps.BeginInvoke()
            Wait-DokkaaTestCondition -What "$Target to be drained by the runbook" { (Get-DokkaaHost -Name $Target -Cluster $Endpoint).Draining }
            $ps.Stop()
            $async.IsCompleted | Should -BeTrue
            (Get-DokkaaHost -Name $Target -Cluster $Endpoint).Draining | Should -BeFalse
        }
        finally { $ps.Dispose() }
    }
}
