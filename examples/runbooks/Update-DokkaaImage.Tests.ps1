#Requires -Version 7.4
# Pester 5 tests of Update-DokkaaImage: unit tests with the Dokkaa cmdlets mocked, and a real rollout
# (and two rollbacks) against a real etcd and a real dokkaa-agent. Run with:
#   bash tests/Pester/run.sh examples/runbooks

BeforeAll {
    $script:Root = (Resolve-Path (Join-Path $PSScriptRoot '..' '..')).Path
    Import-Module (Join-Path $Root 'tests' 'Pester' 'DokkaaTestCluster.psm1') -Force
    $null = Import-DokkaaModuleUnderTest
    Import-Module (Join-Path $Root 'tests' 'Pester' 'DokkaaFakes.psm1') -Force
    . (Join-Path $PSScriptRoot 'Update-DokkaaImage.ps1')
}

Describe 'Update-DokkaaImage (mocked cluster)' {
    BeforeAll {
        $script:Web = New-FakeManifestInfo -App shop -Name web -Image 'shop/web:1' -Scale 2 -Services @{ web = 80 } -Revision 40
        # Wait-DokkaaManifest answers from this queue: 'ok' converges, anything else is a DokkaaTimeout with that message.
        function Set-WaitOutcome([string[]] $Outcome) { $script:WaitOutcomes = [System.Collections.Generic.Queue[string]]::new($Outcome) }
    }

    BeforeEach {
        Set-WaitOutcome 'ok', 'ok', 'ok', 'ok'
        $script:CheckCalls = 0
        Mock Get-DokkaaManifest { $Web }
        Mock Update-DokkaaManifest { if ($PassThru) { New-FakeManifestChange -From $Web -Image $Image } }
        Mock Wait-DokkaaManifest {
            $outcome = $WaitOutcomes.Dequeue()
            if ($outcome -ne 'ok') {
                throw (New-FakeDokkaaError -ErrorId 'DokkaaTimeout,Dokkaa.PowerShell.Commands.WaitDokkaaManifestCommand' -Message $outcome -Category OperationTimeout)
            }
            New-FakeStatus -App shop -Name web -Desired 2
        }
        Mock Resolve-DokkaaService { throw 'the default health check must not run in this test' }
        Mock Start-Sleep { }
        $script:Passing = { $script:CheckCalls++; $true }
    }

    It 'rolls out, waits, checks, and reports the rollout' {
        $result = Update-DokkaaImage -App shop -Name web -Image 'shop/web:2' -Timeout 90 -HealthCheck $Passing -Confirm:$false
        $result.PSObject.TypeNames | Should -Contain 'Dokkaa.Runbook.ImageRollout'
        $result.Image | Should -Be 'shop/web:2'
        $result.PreviousImage | Should -Be 'shop/web:1'
        $result.Status.Converged | Should -BeTrue
        $result.HealthCheckAttempts | Should -Be 1
        $CheckCalls | Should -Be 1
        Should -Invoke Update-DokkaaManifest -Times 1 -Exactly
        # Guarded by the revision that was read, and the timeout goes to the wait as whole seconds.
        Should -Invoke Update-DokkaaManifest -Times 1 -Exactly -ParameterFilter { $InputObject.Revision -eq 40 -and $Image -eq 'shop/web:2' }
        Should -Invoke Wait-DokkaaManifest -Times 1 -Exactly -ParameterFilter { $App -eq 'shop' -and $Name -eq 'web' -and $Timeout -eq 90 }
    }

    It 'hands the health check the rollout: app, name, images, new manifest and status' {
        $script:Seen = $null
        Update-DokkaaImage shop web 'shop/web:2' -HealthCheck { param($Rollout) $script:Seen = $Rollout } -Confirm:$false | Out-Null
        $Seen.App | Should -Be 'shop'
        $Seen.Name | Should -Be 'web'
        $Seen.Image | Should -Be 'shop/web:2'
        $Seen.PreviousImage | Should -Be 'shop/web:1'
        $Seen.Manifest.Image | Should -Be 'shop/web:2'
        $Seen.Status.Running | Should -Be 2
    }

    It '-WhatIf changes nothing' {
        Update-DokkaaImage shop web 'shop/web:2' -HealthCheck $Passing -WhatIf | Should -BeNullOrEmpty
        Should -Invoke Update-DokkaaManifest -Times 0 -Exactly
        Should -Invoke Wait-DokkaaManifest -Times 0 -Exactly
        $CheckCalls | Should -Be 0
    }

    It 'does nothing but warn when the manifest already runs the image' {
        Update-DokkaaImage shop web 'shop/web:1' -HealthCheck $Passing -Confirm:$false -WarningVariable warned -WarningAction SilentlyContinue | Should -BeNullOrEmpty
        $warned[0].Message | Should -Be 'shop/web already runs shop/web:1; nothing to roll out.'
        Should -Invoke Update-DokkaaManifest -Times 0 -Exactly
    }

    It 'rolls back to the previous image when the wait times out' {
        Set-WaitOutcome '1 of 2 running, 0 pending, 1 outdated; errors: image not found: shop/web:2', 'ok'
        { Update-DokkaaImage shop web 'shop/web:2' -Timeout 30 -HealthCheck $Passing -Confirm:$false -WarningAction SilentlyContinue } |
            Should -Throw -ErrorId 'DokkaaRolloutFailed*' -ExpectedMessage 'Rollout of shop/web:2 to shop/web failed: Wait-DokkaaManifest failed: 1 of 2 running, 0 pending, 1 outdated; errors: image not found: shop/web:2. Rolled back to shop/web:1 (2 of 2 running).'
        Should -Invoke Update-DokkaaManifest -Times 2 -Exactly
        Should -Invoke Update-DokkaaManifest -Times 1 -Exactly -ParameterFilter { $App -eq 'shop' -and $Name -eq 'web' -and $Image -eq 'shop/web:1' }
        Should -Invoke Wait-DokkaaManifest -Times 2 -Exactly -ParameterFilter { $Timeout -eq 30 }
        $CheckCalls | Should -Be 0
    }

    It 'rolls back when the health check throws, naming the check and its error' {
        { Update-DokkaaImage shop web 'shop/web:2' -HealthCheck { throw 'HTTP 503 from /health' } -HealthCheckTimeout 0 -Confirm:$false -WarningAction SilentlyContinue } |
            Should -Throw -ErrorId 'DokkaaRolloutFailed*' -ExpectedMessage '*failed: the health check (1 attempt(s)) failed: HTTP 503 from /health. Rolled back to shop/web:1*'
        Should -Invoke Update-DokkaaManifest -Times 1 -Exactly -ParameterFilter { $Image -eq 'shop/web:1' -and -not $InputObject }
    }

    It 'rolls back when the health check returns $false' {
        { Update-DokkaaImage shop web 'shop/web:2' -HealthCheck { $true; $false } -HealthCheckTimeout 0 -Confirm:$false -WarningAction SilentlyContinue } |
            Should -Throw -ErrorId 'DokkaaRolloutFailed*' -ExpectedMessage '*the health check (1 attempt(s)) failed: it returned $false*'
        Should -Invoke Update-DokkaaManifest -Times 1 -Exactly -ParameterFilter { $Image -eq 'shop/web:1' }
    }

    It 'rolls back when the health check writes an error' {
        { Update-DokkaaImage shop web 'shop/web:2' -HealthCheck { Write-Error 'GET /health: 503'; 'went on' } -HealthCheckTimeout 0 -Confirm:$false -WarningAction SilentlyContinue } |
            Should -Throw -ErrorId 'DokkaaRolloutFailed*' -ExpectedMessage '*the health check (1 attempt(s)) failed: GET /health: 503. Rolled back to shop/web:1*'
    }

    It 'does not mistake other output (0, empty string) for a failed check' {
        $result = Update-DokkaaImage shop web 'shop/web:2' -HealthCheck { 0; ''; 'fine' } -HealthCheckTimeout 0 -Confirm:$false
        $result.Image | Should -Be 'shop/web:2'
        Should -Invoke Update-DokkaaManifest -Times 0 -Exactly -ParameterFilter { $Image -eq 'shop/web:1' }
    }

    It 'tries a failing check again until it passes within -HealthCheckTimeout' {
        $result = Update-DokkaaImage shop web 'shop/web:2' -HealthCheckTimeout 60 -HealthCheckInterval 2 -Confirm:$false -HealthCheck {
            $script:CheckCalls++
            if ($script:CheckCalls -lt 3) { throw 'not yet' }
        }
        $result.HealthCheckAttempts | Should -Be 3
        Should -Invoke Start-Sleep -Times 2 -Exactly -ParameterFilter { $Seconds -eq 2 }
        Should -Invoke Update-DokkaaManifest -Times 1 -Exactly
    }

    It 'says so when the rollback fails too' {
        Mock Update-DokkaaManifest -ParameterFilter { $Image -eq 'shop/web:1' } {
            throw (New-FakeDokkaaError -ErrorId 'DokkaaClusterUnreachable' -Message 'no etcd member answered' -Category ConnectionError)
        }
        { Update-DokkaaImage shop web 'shop/web:2' -HealthCheck { throw 'down' } -HealthCheckTimeout 0 -Confirm:$false -WarningAction SilentlyContinue } |
            Should -Throw -ErrorId 'DokkaaRolloutFailed*' -ExpectedMessage '*health check (1 attempt(s)) failed: down. The rollback to shop/web:1 failed too: no etcd member answered.'
    }

    It 'says so when the rollback does not converge either' {
        Set-WaitOutcome 'timed out A', 'timed out B'
        { Update-DokkaaImage shop web 'shop/web:2' -HealthCheck $Passing -Confirm:$false -WarningAction SilentlyContinue } |
            Should -Throw -ErrorId 'DokkaaRolloutFailed*' -ExpectedMessage '*Wait-DokkaaManifest failed: timed out A. The rollback to shop/web:1 failed too: timed out B.'
    }

    It 'throws the module''s error and rolls nothing back when the rollout cannot be written' {
        Mock Update-DokkaaManifest {
            throw (New-FakeDokkaaError -ErrorId 'DokkaaConflict,Dokkaa.PowerShell.Commands.UpdateDokkaaManifestCommand' -Message 'shop/web changed since it was read' -Category ResourceBusy)
        }
        { Update-DokkaaImage shop web 'shop/web:2' -HealthCheck $Passing -Confirm:$false } | Should -Throw -ErrorId 'DokkaaConflict*'
        Should -Invoke Update-DokkaaManifest -Times 1 -Exactly
        Should -Invoke Wait-DokkaaManifest -Times 0 -Exactly
    }

    It 'refuses an invalid manifest before changing anything' {
        Mock Get-DokkaaManifest { New-FakeManifestInfo -App shop -Name web -Invalid }
        { Update-DokkaaImage shop web 'shop/web:2' -Confirm:$false } | Should -Throw -ErrorId 'DokkaaManifestInvalid*' -ExpectedMessage '*shop/web is invalid*'
        Should -Invoke Update-DokkaaManifest -Times 0 -Exactly
    }

    It 'validates its parameters' {
        { Update-DokkaaImage shop web '' } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
        { Update-DokkaaImage shop web 'x' -Timeout 0 } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
        { Update-DokkaaImage shop web 'x' -HealthCheckTimeout -1 } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
        Should -Invoke Get-DokkaaManifest -Times 0 -Exactly
    }

    Context 'the default health check (TCP connect to each endpoint of each service)' {
        BeforeAll {
            $script:Listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
            $Listener.Start()
            $script:OpenPort = $Listener.LocalEndpoint.Port
            $script:ClosedPort = Get-DokkaaTestFreePort
        }
        AfterAll { $Listener.Stop() }

        It 'passes when every service of the manifest has an endpoint that accepts a connection' {
            Mock Resolve-DokkaaService {
                New-FakeServiceEndpoint -Service web -App shop -Name web -Instance 1 -Port $OpenPort
                New-FakeServiceEndpoint -Service web -App shop -Name web -Instance 2 -Port $OpenPort
            }
            (Update-DokkaaImage shop web 'shop/web:2' -HealthCheckTimeout 0 -Confirm:$false).Image | Should -Be 'shop/web:2'
            Should -Invoke Resolve-DokkaaService -Times 1 -Exactly -ParameterFilter { $Service -eq 'web' -and $App -eq 'shop' }
            Should -Invoke Update-DokkaaManifest -Times 1 -Exactly
        }

        It 'rolls back when an endpoint does not accept connections' {
            Mock Resolve-DokkaaService {
                New-FakeServiceEndpoint -Service web -App shop -Name web -Instance 1 -Port $OpenPort
                New-FakeServiceEndpoint -Service web -App shop -Name web -Instance 2 -Port $ClosedPort
            }
            { Update-DokkaaImage shop web 'shop/web:2' -HealthCheckTimeout 0 -Confirm:$false -WarningAction SilentlyContinue } |
                Should -Throw -ErrorId 'DokkaaRolloutFailed*' -ExpectedMessage "*service web of shop/web, instance 2 at 127.0.0.1:$ClosedPort does not accept TCP connections*Rolled back to shop/web:1*"
            Should -Invoke Update-DokkaaManifest -Times 1 -Exactly -ParameterFilter { $Image -eq 'shop/web:1' }
        }

        It 'rolls back when a service resolves only to other manifests, or to nothing' {
            Mock Resolve-DokkaaService { New-FakeServiceEndpoint -Service web -App shop -Name legacy -Port $OpenPort }
            { Update-DokkaaImage shop web 'shop/web:2' -HealthCheckTimeout 0 -Confirm:$false -WarningAction SilentlyContinue } |
                Should -Throw -ErrorId 'DokkaaRolloutFailed*' -ExpectedMessage '*service web of shop/web resolves to no running instance*'
            Mock Resolve-DokkaaService { Write-Error -Message 'no running instance provides web' -ErrorId DokkaaServiceNotFound -Category ObjectNotFound }
            { Update-DokkaaImage shop web 'shop/web:2' -HealthCheckTimeout 0 -Confirm:$false -WarningAction SilentlyContinue } |
                Should -Throw -ErrorId 'DokkaaRolloutFailed*' -ExpectedMessage '*service web of shop/web resolves to no running instance*'
            Should -Invoke Update-DokkaaManifest -Times 2 -Exactly -ParameterFilter { $Image -eq 'shop/web:1' }
        }

        It 'passes a manifest without TCP services without resolving anything' {
            $script:Web = New-FakeManifestInfo -App shop -Name worker -Image 'shop/worker:1' -Revision 41
            try {
                (Update-DokkaaImage shop worker 'shop/worker:2' -HealthCheckTimeout 0 -Confirm:$false).Image | Should -Be 'shop/worker:2'
                Should -Invoke Resolve-DokkaaService -Times 0 -Exactly
            }
            finally { $script:Web = New-FakeManifestInfo -App shop -Name web -Image 'shop/web:1' -Scale 2 -Services @{ web = 80 } -Revision 40 }
        }
    }
}

Describe 'Update-DokkaaImage against a real cluster' {
    BeforeAll {
        # The only images are local ones: a second tag of the test image is the "new version".
        & docker tag dokkaa/busybox:test dokkaa/busybox:rb2
        if ($LASTEXITCODE) { throw 'docker tag dokkaa/busybox:test dokkaa/busybox:rb2 failed' }
        $script:Cluster = Start-DokkaaTestCluster -Name rbimage -Hosts 1 -AmbassadorPorts 43230-43259
        $script:Endpoint = $Cluster.Endpoint
        '{ "image": "dokkaa/busybox:test", "scale": 2, "services": { "web": 80 } }' | Set-DokkaaManifest -App rbimage -Name web -Cluster $Endpoint
        Wait-DokkaaManifest -App rbimage -Name web -Timeout 120 -Cluster $Endpoint | Out-Null

        function Get-RunningImage {
            # The manifest's image, and what Docker itself says each claimed container runs.
            $manifest = Get-DokkaaManifest -App rbimage -Name web -Cluster $Endpoint
            $containers = @(Get-DokkaaContainer -App rbimage -Name web -Cluster $Endpoint)
            $images = @(foreach ($container in $containers | Where-Object State -eq 'Running') {
                    & docker inspect --format '{{.Config.Image}}' $container.ContainerId
                })
            [pscustomobject]@{
                Image     = $manifest.Manifest.Image
                Current   = @($images | Where-Object { $_ -eq $manifest.Manifest.Image }).Count
                Instances = $containers.Count
            }
        }
    }
    AfterAll {
        Stop-DokkaaTestCluster $Cluster -App rbimage
        & docker rmi dokkaa/busybox:rb2 *> $null
    }

    It 'rolls out a new image, waits and checks that each instance accepts connections' {
        $result = Update-DokkaaImage -App rbimage -Name web -Image dokkaa/busybox:rb2 -Timeout 120 -Cluster $Endpoint -Confirm:$false
        $result.PreviousImage | Should -Be 'dokkaa/busybox:test'
        $result.Status.Converged | Should -BeTrue
        $state = Get-RunningImage
        $state.Image | Should -Be 'dokkaa/busybox:rb2'
        $state.Current | Should -Be 2
        foreach ($endpoint in Resolve-DokkaaService web -App rbimage -Cluster $Endpoint) {
            (Invoke-WebRequest "http://$($endpoint.Address):$($endpoint.Port)/" -TimeoutSec 5).Content.Trim() | Should -Be 'ok'
        }
    }

    It 'rolls back an image that does not exist, and says the wait failed' {
        { Update-DokkaaImage rbimage web dokkaa/none:missing -Timeout 20 -Cluster $Endpoint -Confirm:$false -WarningAction SilentlyContinue } |
            Should -Throw -ErrorId 'DokkaaRolloutFailed*' -ExpectedMessage '*Rollout of dokkaa/none:missing to rbimage/web failed: Wait-DokkaaManifest failed:*Rolled back to dokkaa/busybox:rb2 (2 of 2 running).'
        $state = Get-RunningImage
        $state.Image | Should -Be 'dokkaa/busybox:rb2'
        $state.Current | Should -Be 2
        $state.Instances | Should -Be 2
        (Get-DokkaaStatus -App rbimage -Name web -Cluster $Endpoint).Converged | Should -BeTrue
    }

    It 'rolls back when the health check fails after a rollout that converged' {
        { Update-DokkaaImage rbimage web dokkaa/busybox:test -Timeout 120 -Cluster $Endpoint -Confirm:$false -WarningAction SilentlyContinue `
                -HealthCheckTimeout 0 -HealthCheck { param($Rollout) throw "smoke test of $($Rollout.Image) failed" } } |
            Should -Throw -ErrorId 'DokkaaRolloutFailed*' -ExpectedMessage '*the health check (1 attempt(s)) failed: smoke test of dokkaa/busybox:test failed. Rolled back to dokkaa/busybox:rb2 (2 of 2 running).'
        $state = Get-RunningImage
        $state.Image | Should -Be 'dokkaa/busybox:rb2'
        $state.Current | Should -Be 2
    }
}
