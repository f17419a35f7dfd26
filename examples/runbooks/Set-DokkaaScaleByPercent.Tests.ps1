#Requires -Version 7.4
# Pester 5 tests of Set-DokkaaScaleByPercent: unit tests with the Dokkaa cmdlets mocked, and one run
# against a real etcd and a real dokkaa-agent. Run with: bash tests/Pester/run.sh examples/runbooks

BeforeAll {
    $script:Root = (Resolve-Path (Join-Path $PSScriptRoot '..' '..')).Path
    Import-Module (Join-Path $Root 'tests' 'Pester' 'DokkaaTestCluster.psm1') -Force
    $null = Import-DokkaaModuleUnderTest
    Import-Module (Join-Path $Root 'tests' 'Pester' 'DokkaaFakes.psm1') -Force
    . (Join-Path $PSScriptRoot 'Set-DokkaaScaleByPercent.ps1')
}

Describe 'Set-DokkaaScaleByPercent (mocked cluster)' {
    BeforeAll {
        $script:Manifests = @(
            New-FakeManifestInfo -App shop -Name web -Scale 4 -Revision 21
            New-FakeManifestInfo -App shop -Name worker -Scale 5 -Revision 22
            New-FakeManifestInfo -App shop -Name tiny -Scale 1 -Revision 23
            New-FakeManifestInfo -App shop -Name off -Scale 0 -Revision 24
        )
    }

    BeforeEach {
        Mock Get-DokkaaManifest { $Manifests | Where-Object { $_.App -like $App -and $_.Name -like $Name } }
        Mock Update-DokkaaManifest { New-FakeManifestChange -From $InputObject -Scale $Scale -Revision ($InputObject.Revision + 100) }
    }

    It 'grows every manifest of the app by the percentage, rounding halves away from zero' {
        $changes = Set-DokkaaScaleByPercent -App shop -Percent 50 -Confirm:$false
        # 4 -> 6, 5 * 1.5 = 7.5 -> 8 (not the banker's 8/7 surprise of [int]), 1 * 1.5 = 1.5 -> 2; scale 0 stays.
        $changes | ForEach-Object { "$($_.Name) $($_.PreviousScale)->$($_.Scale)" } | Should -Be @('web 4->6', 'worker 5->8', 'tiny 1->2')
        Should -Invoke Update-DokkaaManifest -Times 3 -Exactly
        Should -Invoke Update-DokkaaManifest -Times 1 -Exactly -ParameterFilter { $InputObject.Name -eq 'worker' -and $Scale -eq 8 -and $PassThru }
        Should -Invoke Update-DokkaaManifest -Times 0 -Exactly -ParameterFilter { $InputObject.Name -eq 'off' }
        $changes[0].PSObject.TypeNames | Should -Contain 'Dokkaa.Runbook.ScaleChange'
        $changes[0].Revision | Should -Be 121
    }

    It 'updates against the ManifestInfo it read (revision guard), not a fresh read' {
        Set-DokkaaScaleByPercent -App shop -Name web -Percent 25 -Confirm:$false | Out-Null
        Should -Invoke Update-DokkaaManifest -Times 1 -Exactly -ParameterFilter { $InputObject.Revision -eq 21 -and $Scale -eq 5 }
        Should -Invoke Get-DokkaaManifest -Times 1 -Exactly -ParameterFilter { $App -eq 'shop' -and $Name -eq 'web' }
    }

    It 'rounds <Rounding>: 5 by <Percent> % is <Expected>' -ForEach @(
        @{ Rounding = 'Nearest'; Percent = -50; Expected = 3 }   # 2.5 -> 3
        @{ Rounding = 'Down'; Percent = -50; Expected = 2 }
        @{ Rounding = 'Up'; Percent = 10; Expected = 6 }         # 5.5 -> 6
        @{ Rounding = 'Down'; Percent = 10; Expected = 5 }       # unchanged: not written
        @{ Rounding = 'Nearest'; Percent = -30; Expected = 4 }   # 3.5 -> 4
    ) {
        $result = Set-DokkaaScaleByPercent -App shop -Name worker -Percent $Percent -Rounding $Rounding -Confirm:$false
        if ($Expected -eq 5) {
            $result | Should -BeNullOrEmpty
            Should -Invoke Update-DokkaaManifest -Times 0 -Exactly
        }
        else {
            $result.Scale | Should -Be $Expected
            Should -Invoke Update-DokkaaManifest -Times 1 -Exactly -ParameterFilter { $Scale -eq $Expected }
        }
    }

    It 'clamps to -Maximum' {
        (Set-DokkaaScaleByPercent -App shop -Name web -Percent 400 -Maximum 10 -Confirm:$false).Scale | Should -Be 10
        Should -Invoke Update-DokkaaManifest -Times 1 -Exactly -ParameterFilter { $Scale -eq 10 }
    }

    It 'clamps to -Minimum, which is 1 by default so a percentage never stops a manifest' {
        (Set-DokkaaScaleByPercent -App shop -Name web -Percent -90 -Confirm:$false).Scale | Should -Be 1
        (Set-DokkaaScaleByPercent -App shop -Name web -Percent -90 -Minimum 3 -Confirm:$false).Scale | Should -Be 3
        (Set-DokkaaScaleByPercent -App shop -Name web -Percent -100 -Minimum 0 -Confirm:$false).Scale | Should -Be 0
        # tiny stays at 1: rounding 0.5 up and clamping to 1 both leave it as it is, so nothing is written.
        Set-DokkaaScaleByPercent -App shop -Name tiny -Percent -50 -Confirm:$false | Should -BeNullOrEmpty
        Should -Invoke Update-DokkaaManifest -Times 0 -Exactly -ParameterFilter { $InputObject.Name -eq 'tiny' }
    }

    It 'refuses -Minimum larger than -Maximum before reading anything' {
        { Set-DokkaaScaleByPercent -App shop -Percent 10 -Minimum 5 -Maximum 4 } |
            Should -Throw -ErrorId 'DokkaaRunbookInvalidBounds*' -ExpectedMessage '*-Minimum (5) is larger than -Maximum (4)*'
        Should -Invoke Get-DokkaaManifest -Times 0 -Exactly
    }

    It 'validates its parameters' {
        { Set-DokkaaScaleByPercent -App shop -Percent -101 } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
        { Set-DokkaaScaleByPercent -App shop -Percent 10 -Maximum 1001 } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
        { Set-DokkaaScaleByPercent -App '' -Percent 10 } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
    }

    It '-WhatIf changes nothing and outputs nothing' {
        $result = Set-DokkaaScaleByPercent -App shop -Percent 50 -WhatIf
        $result | Should -BeNullOrEmpty
        Should -Invoke Update-DokkaaManifest -Times 0 -Exactly
    }

    It 'reports a manifest that matches nothing' {
        Set-DokkaaScaleByPercent -App shop -Name nosuch -Percent 50 -ErrorAction SilentlyContinue -ErrorVariable failed | Should -BeNullOrEmpty
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'DokkaaManifestNotFound*'
        $failed[0].Exception.Message | Should -Be 'No manifest matches shop/nosuch.'
    }

    It 'skips an invalid manifest with an error and scales the others' {
        Mock Get-DokkaaManifest { New-FakeManifestInfo -App shop -Name broken -Invalid; $Manifests[0] }
        $changes = Set-DokkaaScaleByPercent -App shop -Percent 50 -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable failed
        $changes.Name | Should -Be 'web'
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'DokkaaManifestInvalid*'
        $failed[0].Exception.Message | Should -BeLike '*shop/broken is invalid*'
    }

    It 'reports a conflict with the module''s ErrorId and goes on with the next manifest' {
        Mock Update-DokkaaManifest -ParameterFilter { $InputObject.Name -eq 'web' } {
            throw (New-FakeDokkaaError -ErrorId 'DokkaaConflict,Dokkaa.PowerShell.Commands.UpdateDokkaaManifestCommand' -Message 'shop/web changed since it was read' -Category ResourceBusy)
        }
        # 2>&1: the error stream of the runbook itself (-ErrorVariable would also collect what the mock threw inside it).
        $output = Set-DokkaaScaleByPercent -App shop -Percent 50 -Confirm:$false 2>&1
        $failed = @($output | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
        ($output | Where-Object { $_ -isnot [System.Management.Automation.ErrorRecord] }).Name | Should -Be @('worker', 'tiny')
        $failed.Count | Should -Be 1
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'DokkaaConflict*'
        $failed[0].Exception.Message | Should -Be 'shop/web changed since it was read'
        Should -Invoke Update-DokkaaManifest -Times 3 -Exactly
    }

    It 'takes ManifestInfo objects from the pipeline' {
        $changes = $Manifests[0], $Manifests[1] | Set-DokkaaScaleByPercent -Percent -20 -Confirm:$false
        $changes | ForEach-Object { "$($_.Name) $($_.Scale)" } | Should -Be @('web 3', 'worker 4')
        Should -Invoke Get-DokkaaManifest -Times 0 -Exactly
    }

    It 'passes -Cluster on to the module' {
        Set-DokkaaScaleByPercent -App shop -Name web -Percent 50 -Cluster 'http://10.0.0.1:2379' -Confirm:$false | Out-Null
        Should -Invoke Get-DokkaaManifest -Times 1 -Exactly -ParameterFilter { "$Cluster" -like '*10.0.0.1:2379*' }
        Should -Invoke Update-DokkaaManifest -Times 1 -Exactly -ParameterFilter { "$Cluster" -like '*10.0.0.1:2379*' }
    }
}

Describe 'Set-DokkaaScaleByPercent against a real cluster' {
    BeforeAll {
        $script:Cluster = Start-DokkaaTestCluster -Name rbscale -Hosts 1 -AmbassadorPorts 43200-43229
        $script:Endpoint = $Cluster.Endpoint
        '{ "image": "dokkaa/busybox:test", "scale": 2, "services": { "web": 80 } }' | Set-DokkaaManifest -App rbscale -Name web -Cluster $Endpoint
        '{ "image": "dokkaa/busybox:test", "scale": 1 }' | Set-DokkaaManifest -App rbscale -Name worker -Cluster $Endpoint
        Wait-DokkaaManifest -App rbscale -Name web -Timeout 120 -Cluster $Endpoint | Out-Null
        Wait-DokkaaManifest -App rbscale -Name worker -Timeout 120 -Cluster $Endpoint | Out-Null
    }
    AfterAll {
        Stop-DokkaaTestCluster $Cluster -App rbscale
    }

    It '-WhatIf leaves the cluster as it is' {
        $before = Get-DokkaaManifest -App rbscale -Cluster $Endpoint
        Set-DokkaaScaleByPercent -App rbscale -Percent 100 -Cluster $Endpoint -WhatIf | Should -BeNullOrEmpty
        $after = Get-DokkaaManifest -App rbscale -Cluster $Endpoint
        $after.Revision | Should -Be $before.Revision
    }

    It 'scales the app by 50 % and the agent runs the new scale' {
        $changes = Set-DokkaaScaleByPercent -App rbscale -Percent 50 -Maximum 2 -Cluster $Endpoint -Confirm:$false
        # web: 2 * 1.5 = 3, clamped to 2: unchanged, not written; worker: 1.5 -> 2.
        $changes | ForEach-Object { "$($_.Name) $($_.PreviousScale)->$($_.Scale)" } | Should -Be @('worker 1->2')
        (Get-DokkaaManifest -App rbscale -Name worker -Cluster $Endpoint).Revision | Should -Be $changes.Revision
        (Wait-DokkaaManifest -App rbscale -Name worker -Timeout 120 -Cluster $Endpoint).Running | Should -Be 2
        @(Get-DokkaaContainer -App rbscale -Name worker -Cluster $Endpoint | Where-Object State -eq 'Running').Count | Should -Be 2
        (Get-DokkaaManifest -App rbscale -Name web -Cluster $Endpoint).Manifest.Scale | Should -Be 2
    }

    It 'does not overwrite a change made after the manifest was read (DokkaaConflict)' {
        $stale = Get-DokkaaManifest -App rbscale -Name worker -Cluster $Endpoint
        Update-DokkaaManifest -App rbscale -Name worker -Scale 3 -Cluster $Endpoint
        $output = $stale | Set-DokkaaScaleByPercent -Percent 100 -Cluster $Endpoint -Confirm:$false 2>&1
        @($output).Count | Should -Be 1
        $output[0].FullyQualifiedErrorId | Should -BeLike 'DokkaaConflict*'
        (Get-DokkaaManifest -App rbscale -Name worker -Cluster $Endpoint).Manifest.Scale | Should -Be 3
        Update-DokkaaManifest -App rbscale -Name worker -Scale 2 -Cluster $Endpoint
    }

    It 'scales down and the agent stops the highest instances' {
        $change = Set-DokkaaScaleByPercent -App rbscale -Name web -Percent -50 -Cluster $Endpoint -Confirm:$false
        $change.Scale | Should -Be 1
        Wait-DokkaaManifest -App rbscale -Name web -Timeout 120 -Cluster $Endpoint | Out-Null
        Wait-DokkaaTestCondition -What 'instance 2 of rbscale/web to be removed' {
            @(Get-DokkaaContainer -App rbscale -Name web -Cluster $Endpoint).Instance -join ',' -eq '1'
        }
        (Get-DokkaaContainer -App rbscale -Name web -Cluster $Endpoint).Instance | Should -Be 1
    }
}
