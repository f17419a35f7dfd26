#Requires -Version 7.4
# Pester 5 suite of the Dokkaa module: the operator stories, run in a real pwsh against the built module,
# a real etcd and a real dokkaa-agent on the local Docker. Run it with tests/Pester/run.sh, which builds
# the module, the agent and the test image and sets:
#   DOKKAA_MODULE_PSD1   the built Dokkaa.psd1 (out/Dokkaa/<version>/Dokkaa.psd1)
#   DOKKAA_PESTER_AGENT  the dokkaa-agent executable
# The suite starts its own etcd on free loopback ports (DokkaaTestCluster.psm1) and removes everything it made.

BeforeAll {
    $script:Root = (Resolve-Path (Join-Path $PSScriptRoot '..' '..')).Path
    Import-Module (Join-Path $PSScriptRoot 'DokkaaTestCluster.psm1') -Force
    $script:ModuleDir = Split-Path (Import-DokkaaModuleUnderTest)
    function Get-FreePort { Get-DokkaaTestFreePort }
    function Wait-Until([scriptblock] $Condition, [string] $What, [int] $Seconds = 60) {
        Wait-DokkaaTestCondition -Condition $Condition -What $What -TimeoutSeconds $Seconds
    }

    # A real etcd and a real agent on the local Docker (DNS and HTTP routing off: other suites own those ports).
    $script:Cluster = Start-DokkaaTestCluster -Name pester -Hosts 1 -AmbassadorPorts '43000-43099'
    $script:Endpoint = $Cluster.Endpoint
    $script:HostId = $Cluster.HostId
    $script:Work = $Cluster.WorkDir

    Connect-DokkaaCluster -Endpoint $Endpoint | Out-Null

    $script:SeedNginx = '{ "image": "dokkaa/busybox:test", "scale": 1, "services": { "nginx": 80 } }'
}

AfterAll {
    Disconnect-DokkaaCluster
    Stop-DokkaaTestCluster $Cluster
    Remove-Module Dokkaa, DokkaaTestCluster -ErrorAction SilentlyContinue
}

Describe 'The module' {
    It 'exports exactly the cmdlets of its manifest, all with approved verbs' {
        $exported = (Get-Command -Module Dokkaa).Name | Sort-Object
        $declared = (Import-PowerShellDataFile (Join-Path $ModuleDir 'Dokkaa.psd1')).CmdletsToExport | Sort-Object
        $exported | Should -Be $declared
        $approved = (Get-Verb).Verb
        foreach ($command in Get-Command -Module Dokkaa) { $approved | Should -Contain $command.Verb }
    }

    It 'has default table views for what the cmdlets output' {
        foreach ($type in 'Dokkaa.Core.Operations.ManifestInfo', 'Dokkaa.Core.Operations.ContainerInfo', 'Dokkaa.Core.Operations.HostInfo',
            'Dokkaa.Core.Operations.ManifestStatusInfo', 'Dokkaa.Core.Discovery.ServiceEndpoint', 'Dokkaa.PowerShell.DokkaaCluster',
            'Dokkaa.Core.Placement.InstanceMove') {
            Get-FormatData -TypeName $type | Should -Not -BeNullOrEmpty
        }
    }
}

Describe 'Choosing the cluster' {
    It 'uses the connected cluster, and says so' {
        $cluster = Get-DokkaaCluster
        $cluster.Source | Should -Be 'Session'
        $cluster.Endpoints | Should -Be @($Endpoint)
    }

    It 'falls back to $env:DOKKAA_ETCD after Disconnect-DokkaaCluster' {
        $saved = $env:DOKKAA_ETCD
        try {
            Disconnect-DokkaaCluster
            $env:DOKKAA_ETCD = $Endpoint
            (Get-DokkaaCluster).Source | Should -Be 'Environment'
            { Get-DokkaaManifest -ErrorAction Stop } | Should -Not -Throw
        }
        finally {
            $env:DOKKAA_ETCD = $saved
            Connect-DokkaaCluster -Endpoint $Endpoint | Out-Null
        }
    }

    It 'takes -Cluster as a URL string' {
        { Get-DokkaaHost -Cluster $Endpoint -ErrorAction Stop } | Should -Not -Throw
    }

    It 'reports an unreachable cluster as DokkaaClusterUnreachable' {
        $dead = "http://127.0.0.1:$(Get-FreePort)"
        { Connect-DokkaaCluster -Endpoint $dead -ErrorAction Stop } | Should -Throw -ErrorId 'DokkaaClusterUnreachable*'
        { Get-DokkaaManifest -Cluster $dead -ErrorAction Stop } | Should -Throw -ErrorId 'DokkaaClusterUnreachable*'
        (Get-DokkaaCluster).Endpoints | Should -Be @($Endpoint)
    }
}

Describe 'Manifests through the pipeline' {
    AfterEach {
        Get-DokkaaManifest -App 'pipe*' -ErrorAction SilentlyContinue | Remove-DokkaaManifest -Confirm:$false
    }

    It 'takes the PSCustomObject of ConvertFrom-Json' {
        $change = $SeedNginx | ConvertFrom-Json | Set-DokkaaManifest -App pipe -Name nginx -PassThru
        $change.Kind | Should -Be 'Created'
        $stored = Get-DokkaaManifest -App pipe -Name nginx
        $stored.Manifest.Image | Should -Be 'dokkaa/busybox:test'
        $stored.Manifest.Services['nginx'].Port | Should -Be 80
    }

    It 'takes a hashtable, JSON text and a New-DokkaaManifest object' {
        @{ Image = 'dokkaa/busybox:test'; Scale = 0 } | Set-DokkaaManifest -App pipe -Name table
        $SeedNginx | Set-DokkaaManifest -App pipe -Name text
        New-DokkaaManifest -Image dokkaa/busybox:test -Scale 0 -Service @{ web = 8080 } | Set-DokkaaManifest -App pipe -Name built
        (Get-DokkaaManifest -App pipe).Name | Sort-Object | Should -Be @('built', 'table', 'text')
    }

    It 'takes files from Get-ChildItem, named <app>.<name>.json' {
        $dir = New-Item -ItemType Directory -Path (Join-Path $Work "files$(Get-Random)")
        Set-Content -Path (Join-Path $dir 'pipefiles.web.json') -Value $SeedNginx
        Set-Content -Path (Join-Path $dir 'pipefiles.worker.json') -Value '{ "image": "dokkaa/busybox:test", "scale": 0 }'
        Get-ChildItem $dir -Filter *.json | Set-DokkaaManifest
        (Get-DokkaaManifest -App pipefiles).Name | Sort-Object | Should -Be @('web', 'worker')
        Set-DokkaaManifest -Path (Join-Path $dir '*.json') -PassThru | ForEach-Object Kind | Should -Be @('Unchanged', 'Unchanged')
    }

    It 'scales through the pipeline' {
        $SeedNginx | Set-DokkaaManifest -App pipe -Name nginx
        '{ "image": "dokkaa/busybox:test", "scale": 0 }' | Set-DokkaaManifest -App pipe -Name other
        Get-DokkaaManifest -App pipe | Update-DokkaaManifest -Scale 3
        (Get-DokkaaManifest -App pipe).Manifest.Scale | Should -Be @(3, 3)
    }

    It '-WhatIf changes nothing' {
        $SeedNginx | Set-DokkaaManifest -App pipe -Name nginx
        $before = (Get-DokkaaManifest -App pipe -Name nginx).Revision
        Get-DokkaaManifest -App pipe | Update-DokkaaManifest -Scale 9 -WhatIf
        @{ image = 'dokkaa/busybox:test'; scale = 4 } | Set-DokkaaManifest -App pipe -Name nginx -WhatIf
        Remove-DokkaaManifest -App pipe -Name nginx -WhatIf
        $after = Get-DokkaaManifest -App pipe -Name nginx
        $after.Revision | Should -Be $before
        $after.Manifest.Scale | Should -Be 1
        { @{ image = 'dokkaa/busybox:test' } | Set-DokkaaManifest -App pipe -Name never -WhatIf } | Should -Not -Throw
        Get-DokkaaManifest -App pipe -Name never -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'refuses bad input with the documented ErrorIds' {
        { @{ image = 'nginx'; services = @{ nginx = 70000 } } | Set-DokkaaManifest -App pipe -Name bad -ErrorAction Stop } |
            Should -Throw -ErrorId 'DokkaaManifestInvalid*' -ExpectedMessage '*$.services.nginx: port 70000 is out of range 1-65535*'
        { $SeedNginx | Set-DokkaaManifest -App Pipe -Name bad -ErrorAction Stop } | Should -Throw -ErrorId 'DokkaaNameInvalid*'
        { $SeedNginx | Set-DokkaaManifest -Name noapp -ErrorAction Stop } | Should -Throw -ErrorId 'DokkaaNameInvalid*'
        { Get-DokkaaManifest -App pipe -Name absent -ErrorAction Stop } | Should -Throw -ErrorId 'DokkaaManifestNotFound*'
        { Remove-DokkaaManifest -App pipe -Name absent -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'DokkaaManifestNotFound*'
        { Update-DokkaaManifest -App pipe -Name absent -ErrorAction Stop } | Should -Throw -ErrorId 'DokkaaNothingToUpdate*'
        { New-DokkaaManifest -Image nginx -Scale -1 -ErrorAction Stop } | Should -Throw -ErrorId 'DokkaaManifestInvalid*'
        Get-DokkaaManifest -App pipe -Name bad -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'removes a key written by hand whose name breaks the rule, and warns of keys the agents ignore' {
        # etcdctl, as an operator would, bypassing the name rule the cmdlets apply.
        $env:ETCDCTL_API = '3'
        etcdctl --endpoints $Endpoint put /apps/pipe/Bad_Name/manifest '{"image":"dokkaa/busybox:test"}' | Out-Null
        etcdctl --endpoints $Endpoint put /apps/pipe/x/y/manifest '{}' | Out-Null
        try {
            (Get-DokkaaManifest -App pipe -Name Bad_Name).Errors.Path | Should -Contain 'key'
            Get-DokkaaStatus -WarningVariable warned -WarningAction SilentlyContinue | Out-Null
            $warned.Message | Should -Contain 'Ignored key /apps/pipe/x/y/manifest: not of the form /apps/<app>/<name>/manifest; nothing runs for it (remove it with: dokkaa rm --key ''/apps/pipe/x/y/manifest'')'

            Remove-DokkaaManifest -App pipe -Name Bad_Name -Confirm:$false -ErrorAction Stop

            Get-DokkaaManifest -App pipe -Name Bad_Name -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        } finally {
            etcdctl --endpoints $Endpoint del --prefix /apps/pipe/x/ | Out-Null
            etcdctl --endpoints $Endpoint del /apps/pipe/Bad_Name/manifest | Out-Null
        }
    }

    It 'puts the error category on the record' {
        @{ image = 'nginx'; scale = -1 } | Set-DokkaaManifest -App pipe -Name bad -ErrorAction SilentlyContinue -ErrorVariable failures
        $failures[0].CategoryInfo.Category | Should -Be 'InvalidData'
        Get-DokkaaManifest -App pipe -Name absent -ErrorAction SilentlyContinue -ErrorVariable missing
        $missing[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'reports a concurrent change as DokkaaConflict' {
        $SeedNginx | Set-DokkaaManifest -App pipe -Name nginx
        $read = Get-DokkaaManifest -App pipe -Name nginx
        Update-DokkaaManifest -App pipe -Name nginx -Scale 2
        { $read | Update-DokkaaManifest -Scale 5 -ErrorAction Stop } | Should -Throw -ErrorId 'DokkaaConflict*'
        (Get-DokkaaManifest -App pipe -Name nginx).Manifest.Scale | Should -Be 2
    }

    It 'matches every field name without regard to case, from hashtables and objects alike' {
        $change = @{ Image = 'dokkaa/busybox:test'; SCALE = 0; Services = @{ web = @{ Port = 80; Protocol = 'tcp' } }
            Constraints = @{ zone = 'a' }; Resources = @{ Cpus = 0.5; Memory = '256m' }; Http = @{ Host = 'case.example.com'; Port = 80 } } |
            Set-DokkaaManifest -App pipe -Name cased -PassThru
        $change.Manifest.Constraints['zone'] | Should -Be 'a'
        $change.Manifest.Resources.MilliCpus | Should -Be 500
        $change.Manifest.Http.Host | Should -Be 'case.example.com'
        ([pscustomobject]@{ IMAGE = 'dokkaa/busybox:test'; Scale = 0 } | Test-DokkaaManifest -Detailed).IsValid | Should -BeTrue
    }

    It 'a manifest converts to JSON and back unchanged' {
        @{ image = 'dokkaa/busybox:test'; scale = 2; services = @{ web = 80; dns = @{ port = 53; protocol = 'udp'; role = 'resolver' } }
            command = @('sh', '-c', 'echo hi'); links = @('db'); env = @{ MODE = 'x' }; http = @{ host = 'rt.example.com'; port = 80 }
            exclusive = $true; constraints = @{ zone = 'a' }; resources = @{ cpus = 0.25; memory = '64m' } } |
            Set-DokkaaManifest -App pipe -Name roundtrip
        $stored = Get-DokkaaManifest -App pipe -Name roundtrip
        $json = $stored.Manifest | ConvertTo-Json -Depth 5
        ($json | Set-DokkaaManifest -App pipe -Name roundtrip -PassThru).Kind | Should -Be 'Unchanged'
        ($json | ConvertFrom-Json | Set-DokkaaManifest -App pipe -Name roundtrip -PassThru).Kind | Should -Be 'Unchanged'
        ($stored.Manifest | ConvertTo-Json -Depth 5 | ConvertFrom-Json | Test-DokkaaManifest -Detailed).Manifest | Should -Be $stored.Manifest
        (Get-DokkaaManifest -App pipe -Name roundtrip).Revision | Should -Be $stored.Revision
    }

    It '-WhatIf describes a change of constraints and of resources' {
        @{ image = 'dokkaa/busybox:test'; scale = 0; constraints = @{ zone = 'a' } } | Set-DokkaaManifest -App pipe -Name whatif
        # "What if:" goes to the host, not to a stream: the transcript is what sees it.
        $transcript = Join-Path $Work "whatif-$(Get-Random).txt"
        Start-Transcript -Path $transcript | Out-Null
        try { @{ image = 'dokkaa/busybox:test'; scale = 0; constraints = @{ zone = 'b' }; resources = @{ cpus = 1 } } | Set-DokkaaManifest -App pipe -Name whatif -WhatIf }
        finally { Stop-Transcript | Out-Null }
        $said = Get-Content -Raw $transcript
        $said | Should -BeLike '*constraints ~zone=b*'
        $said | Should -BeLike '*resources (none) -> 1 cpus*'
        (Get-DokkaaManifest -App pipe -Name whatif).Manifest.Constraints['zone'] | Should -Be 'a'
    }

    It '-WhatIf says what dokkaa apply --dry-run says' {
        $cli = $env:DOKKAA_CLI
        if (-not $cli -or -not (Test-Path $cli)) { throw 'DOKKAA_CLI is not set: run tests/Pester/run.sh, which builds the CLI' }
        @{ image = 'dokkaa/busybox:test'; scale = 0; env = @{ MODE = 'a' } } | Set-DokkaaManifest -App pipe -Name same
        $next = '{"image":"dokkaa/busybox:test","scale":2,"env":{"MODE":"b"},"constraints":{"zone":"a"}}'
        $transcript = Join-Path $Work "same-$(Get-Random).txt"
        Start-Transcript -Path $transcript | Out-Null
        try { $next | Set-DokkaaManifest -App pipe -Name same -WhatIf }
        finally { Stop-Transcript | Out-Null }
        $dryRun = $next | & $cli apply -f - --app pipe --name same --dry-run --etcd $Endpoint
        $LASTEXITCODE | Should -Be 0
        $first = @($dryRun)[0]
        $first -match '^pipe/same: (?<action>Set manifest: .+) \(dry run, nothing written\)$' | Should -BeTrue -Because "dokkaa apply --dry-run said: $first"
        $Matches.action | Should -Be 'Set manifest: scale 0 -> 2; env ~MODE; constraints +zone=a'
        (Get-Content -Raw $transcript) | Should -BeLike "*What if: Performing the operation `"$($Matches.action)`" on target `"pipe/same`"*"
        (Get-DokkaaManifest -App pipe -Name same).Manifest.Scale | Should -Be 0
    }

    It 'New-DokkaaManifest offers every field of the manifest, and nothing else' {
        $built = New-DokkaaManifest -Image dokkaa/busybox:test -Scale 0 -Service @{ web = 80 } -Link db -Command @('sh', '-c', 'echo hi') `
            -Env @{ MODE = 'x' } -HttpHost nm.example.com -HttpPort 80 -Exclusive -Constraint @{ zone = 'a' } -Cpus 0.5 -Memory 64m
        $schema = [Dokkaa.Core.Manifests.ManifestSchema]
        ($built.ToString() | ConvertFrom-Json).PSObject.Properties.Name | Should -Be $schema::Names
        $built.Constraints['zone'] | Should -Be 'a'
        $built.Resources.MilliCpus | Should -Be 500
        $built.Resources.MemoryBytes | Should -Be (64MB)
        $common = [System.Management.Automation.PSCmdlet]::CommonParameters
        $parameters = (Get-Command New-DokkaaManifest).Parameters.Keys | Where-Object { $_ -notin $common } | Sort-Object
        $parameters | Should -Be ($schema::Fields.Parameters.Name | Sort-Object)
        ($built | Set-DokkaaManifest -App pipe -Name built -PassThru).Manifest | Should -Be $built
    }

    It 'takes -Timeout as a TimeSpan, seconds or text, and names a bad one' {
        @{ image = 'dokkaa/busybox:test'; scale = 0 } | Set-DokkaaManifest -App pipe -Name timeout
        foreach ($timeout in '2m', '90s', 30, (New-TimeSpan -Minutes 1), '00:01:00') {
            (Wait-DokkaaManifest -App pipe -Name timeout -Timeout $timeout -ErrorAction Stop).Desired | Should -Be 0
        }
        { Wait-DokkaaManifest -App pipe -Name timeout -Timeout soon } | Should -Throw "*'soon' is not a duration*"
        { Wait-DokkaaManifest -App pipe -Name timeout -Timeout 0 } | Should -Throw '*more than zero*'
    }

    It 'tests manifests offline' {
        Test-DokkaaManifest $SeedNginx | Should -BeTrue
        Test-DokkaaManifest @{ image = 'nginx'; scale = -1 } -ErrorAction SilentlyContinue | Should -BeFalse
        $detail = Test-DokkaaManifest @{ image = 'nginx'; scale = -1 } -Detailed
        $detail.Errors[0].Path | Should -Be '$.scale'
    }
}

Describe 'Errors, verbose output and confirmation, as scripts see them' {
    BeforeDiscovery {
        # One call of every cmdlet that reaches the cluster, with what it needs and nothing more.
        $ClusterCalls = @(
            @{ Cmdlet = 'Get-DokkaaManifest'; Call = { param($c, $common) Get-DokkaaManifest -Cluster $c @common } }
            @{ Cmdlet = 'Set-DokkaaManifest'; Call = { param($c, $common) @{ image = 'dokkaa/busybox:test'; scale = 0 } | Set-DokkaaManifest -App matrix -Name set -Cluster $c @common -Confirm:$false } }
            @{ Cmdlet = 'Update-DokkaaManifest'; Call = { param($c, $common) Update-DokkaaManifest -App matrix -Name upd -Scale 0 -Cluster $c @common -Confirm:$false } }
            @{ Cmdlet = 'Remove-DokkaaManifest'; Call = { param($c, $common) Remove-DokkaaManifest -App matrix -Name rm -Cluster $c @common -Confirm:$false } }
            @{ Cmdlet = 'Wait-DokkaaManifest'; Call = { param($c, $common) Wait-DokkaaManifest -App matrix -Name wait -Timeout 1s -Cluster $c @common } }
            @{ Cmdlet = 'Get-DokkaaContainer'; Call = { param($c, $common) Get-DokkaaContainer -App 'matrix*' -Cluster $c @common } }
            @{ Cmdlet = 'Get-DokkaaHost'; Call = { param($c, $common) Get-DokkaaHost -Name 'matrix*' -Cluster $c @common } }
            @{ Cmdlet = 'Get-DokkaaStatus'; Call = { param($c, $common) Get-DokkaaStatus -App 'matrix*' -Cluster $c @common } }
            @{ Cmdlet = 'Resolve-DokkaaService'; Call = { param($c, $common) Resolve-DokkaaService matrixsvc -Cluster $c @common } }
            @{ Cmdlet = 'Suspend-DokkaaHost'; Call = { param($c, $common) Suspend-DokkaaHost matrixhost -Cluster $c @common -Confirm:$false } }
            @{ Cmdlet = 'Resume-DokkaaHost'; Call = { param($c, $common) Resume-DokkaaHost matrixhost -Cluster $c @common -Confirm:$false } }
            @{ Cmdlet = 'Optimize-DokkaaPlacement'; Call = { param($c, $common) Optimize-DokkaaPlacement -Timeout 1s -Cluster $c @common -WhatIf } }
        )
    }
    BeforeAll {
        $script:Dead = "http://127.0.0.1:$(Get-FreePort)"
        @{ image = 'dokkaa/busybox:test'; scale = 0 } | Set-DokkaaManifest -App matrix -Name upd
        @{ image = 'dokkaa/busybox:test'; scale = 0 } | Set-DokkaaManifest -App matrix -Name rm
    }
    AfterAll { Get-DokkaaManifest -App matrix -ErrorAction SilentlyContinue | Remove-DokkaaManifest -Confirm:$false }

    It '<Cmdlet>: an unreachable cluster is DokkaaClusterUnreachable with -ErrorAction Stop' -ForEach $ClusterCalls {
        $record = $null
        try { & $Call $Dead @{ ErrorAction = 'Stop' }; throw 'no error' } catch { $record = $_ }
        $record.FullyQualifiedErrorId | Should -Be "DokkaaClusterUnreachable,Dokkaa.PowerShell.Commands.$($Cmdlet -replace '-', '')Command"
        $record.CategoryInfo.Category | Should -Be 'ConnectionError'
        $record.Exception.Message | Should -BeLike "*$($Dead -replace '^http://', '')*"
        $record.TargetObject | Should -Not -BeNullOrEmpty
    }

    It '<Cmdlet>: with SilentlyContinue the error goes only to -ErrorVariable, and the script goes on' -ForEach $ClusterCalls {
        # Dot-sourced, so that -ErrorVariable sets $failed in this scope.
        $output = . $Call $Dead @{ ErrorAction = 'SilentlyContinue'; ErrorVariable = 'failed' }
        $after = 'went on'
        $output | Should -BeNullOrEmpty
        $after | Should -Be 'went on'
        @($failed).Count | Should -Be 1
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'DokkaaClusterUnreachable,*'
    }

    It '<Cmdlet>: with Continue the error is written to the error stream, and the script goes on' -ForEach $ClusterCalls {
        $streams = & { & $Call $Dead @{ ErrorAction = 'Continue' }; 'went on' } 2>&1
        $errors = @($streams | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
        $errors.Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'DokkaaClusterUnreachable,*'
        $streams[-1] | Should -Be 'went on'
    }

    It '<Cmdlet>: -Verbose says which cluster it used and where that came from' -ForEach $ClusterCalls {
        $verbose = & $Call $Endpoint @{ Verbose = $true; ErrorAction = 'SilentlyContinue' } 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
        $verbose[0].Message | Should -Be "Cluster $Endpoint (from -Cluster)"
    }

    It 'names the target object of every error: app/name, host, service' {
        Update-DokkaaManifest -App matrix -Name absent -Scale 1 -ErrorAction SilentlyContinue -ErrorVariable e1
        $e1[0].TargetObject | Should -Be 'matrix/absent'
        $e1[0].FullyQualifiedErrorId | Should -Be 'DokkaaManifestNotFound,Dokkaa.PowerShell.Commands.UpdateDokkaaManifestCommand'
        Suspend-DokkaaHost matrixhost -ErrorAction SilentlyContinue -ErrorVariable e2
        $e2[0].TargetObject | Should -Be 'matrixhost'
        Resolve-DokkaaService matrixsvc -ErrorAction SilentlyContinue -ErrorVariable e3
        $e3[0].TargetObject | Should -Be 'matrixsvc'
        $e3[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'a Get- with names that match nothing: ObjectNotFound without wildcards, silence with them' {
        Get-DokkaaManifest -App matrix -Name nothere -ErrorAction SilentlyContinue -ErrorVariable e1 | Should -BeNullOrEmpty
        $e1[0].FullyQualifiedErrorId | Should -BeLike 'DokkaaManifestNotFound,*'
        Get-DokkaaManifest -App nosuchapp -ErrorAction SilentlyContinue -ErrorVariable e2 | Should -BeNullOrEmpty
        $e2[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        Get-DokkaaContainer -App matrix -Name upd -ErrorAction SilentlyContinue -ErrorVariable e3
        $e3[0].FullyQualifiedErrorId | Should -BeLike 'DokkaaContainerNotFound,*'
        Get-DokkaaHost -Name nosuchhost -ErrorAction SilentlyContinue -ErrorVariable e4
        $e4[0].FullyQualifiedErrorId | Should -BeLike 'DokkaaHostNotFound,*'
        Get-DokkaaStatus -App nosuchapp -Name web -ErrorAction SilentlyContinue -ErrorVariable e5
        $e5[0].FullyQualifiedErrorId | Should -BeLike 'DokkaaStatusNotFound,*'
        foreach ($quiet in { Get-DokkaaManifest -App 'nosuch*' }, { Get-DokkaaManifest -App matrix -Name 'zz*' }, { Get-DokkaaContainer -App 'nosuch*' },
            { Get-DokkaaHost -Name 'nosuch*' }, { Get-DokkaaStatus -Name 'nosuch?' }) {
            $Error.Clear()
            & $quiet | Should -BeNullOrEmpty
            $Error.Count | Should -Be 0 -Because "$quiet"
        }
    }

    It 'asks before a removal (ConfirmImpact High): a session that cannot answer removes nothing' {
        # This pwsh runs -NonInteractive: the prompt itself fails, as an unattended script's would.
        @{ image = 'dokkaa/busybox:test'; scale = 0 } | Set-DokkaaManifest -App matrix -Name rm
        @{ image = 'dokkaa/busybox:test'; scale = 0 } | Set-DokkaaManifest -App matrix -Name upd
        { Remove-DokkaaManifest -App matrix -Name rm -ErrorAction Stop } | Should -Throw '*NonInteractive*'
        (Get-DokkaaManifest -App matrix -Name rm).Name | Should -Be 'rm'
        { @{ image = 'dokkaa/busybox:test'; scale = 1 } | Set-DokkaaManifest -App matrix -Name upd -Confirm -ErrorAction Stop } | Should -Throw '*NonInteractive*'
        (Get-DokkaaManifest -App matrix -Name upd).Manifest.Scale | Should -Be 0
    }

    It 'asks for a change too when $ConfirmPreference is Medium' {
        @{ image = 'dokkaa/busybox:test'; scale = 0 } | Set-DokkaaManifest -App matrix -Name upd
        $ConfirmPreference = 'Medium'
        { Update-DokkaaManifest -App matrix -Name upd -Scale 1 -ErrorAction Stop } | Should -Throw '*NonInteractive*'
        (Get-DokkaaManifest -App matrix -Name upd).Manifest.Scale | Should -Be 0
        Update-DokkaaManifest -App matrix -Name upd -Scale 1 -Confirm:$false
        (Get-DokkaaManifest -App matrix -Name upd).Manifest.Scale | Should -Be 1
    }
}

Describe 'Tab completion' {
    BeforeAll {
        '{ "image": "dokkaa/busybox:test", "scale": 0 }' | Set-DokkaaManifest -App completeme -Name alpha
        '{ "image": "dokkaa/busybox:test", "scale": 0 }' | Set-DokkaaManifest -App completeme -Name beta
    }
    AfterAll { Get-DokkaaManifest -App completeme | Remove-DokkaaManifest -Confirm:$false }

    It 'completes -App and -Name from the live cluster' {
        $line = 'Get-DokkaaManifest -App complet'
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Contain 'completeme'
        $line = 'Remove-DokkaaManifest -App completeme -Name b'
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be @('beta')
    }

    It 'offers nothing, and no error, when the cluster does not answer' {
        # How long it may take is bounded by the completers' own timeout (about 1.5 s), not asserted here.
        $line = "Get-DokkaaManifest -Cluster http://127.0.0.1:$(Get-FreePort) -App com"
        $Error.Clear()
        $result = TabExpansion2 -inputScript $line -cursorColumn $line.Length
        $result.CompletionMatches.CompletionText | Should -Not -Contain 'completeme'
        $Error.Count | Should -Be 0
    }
}

Describe 'Waiting' {
    It 'times out with what is missing when no agent reports' {
        # An etcd of its own with no agent: nothing will ever report on the manifest.
        $bare = Start-DokkaaTestCluster -Name pesterbare -Hosts 0
        try {
            '{ "image": "dokkaa/busybox:test", "scale": 2 }' | Set-DokkaaManifest -App waitnone -Name web -Cluster $bare.Endpoint
            $status = Get-DokkaaStatus -App waitnone -Name web -Cluster $bare.Endpoint
            $status.Pending | Should -Be 2
            $status.Errors | Should -Contain 'no agent has reported on this manifest yet'

            { Wait-DokkaaManifest -App waitnone -Name web -Timeout 1s -Cluster $bare.Endpoint -ErrorAction Stop } |
                Should -Throw -ErrorId 'DokkaaTimeout*' -ExpectedMessage '*0 of 2 running*'
        }
        finally { Stop-DokkaaTestCluster $bare }
    }

    It 'stops promptly when the pipeline is stopped (Ctrl+C)' {
        '{ "image": "dokkaa/missing:none", "scale": 1 }' | Set-DokkaaManifest -App waitstop -Name web
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript("Import-Module '$(Join-Path $ModuleDir 'Dokkaa.psd1')'; Wait-DokkaaManifest -App waitstop -Name web -Timeout 600 -Cluster '$Endpoint'")
            $async = $ps.BeginInvoke()
            # The wait loop has begun once it reports progress.
            Wait-Until { $ps.Streams.Progress.Count -gt 0 } 'Wait-DokkaaManifest to report progress' 30
            $ps.Stop()
            $async.IsCompleted | Should -BeTrue
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
        }
        finally {
            $ps.Dispose()
            Remove-DokkaaManifest -App waitstop -Name web -Confirm:$false
        }
    }
}

Describe 'Draining and rebalancing hosts' {
    # Made-up hosts and their claims, written into etcd as agents write them (through etcd's JSON gateway).
    # The manifests require the label pool=pester, which only these hosts carry, so a real agent never
    # places or moves their instances, and nothing here can move a real instance.
    BeforeAll {
        function ConvertTo-Base64([string] $Text) { [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes($Text)) }
        function Invoke-Etcd([string] $Api, [hashtable] $Body) {
            Invoke-RestMethod -Method Post -Uri "$Endpoint/v3/kv/$Api" -ContentType 'application/json' -Body ($Body | ConvertTo-Json -Compress)
        }
        function Get-RangeEnd([string] $Prefix) { $Prefix.Substring(0, $Prefix.Length - 1) + [char]([int][char]$Prefix[-1] + 1) }
        function Set-EtcdRecord([string] $Key, [hashtable] $Record, [string] $Lease = '0') {
            $null = Invoke-Etcd put @{ key = ConvertTo-Base64 $Key; value = ConvertTo-Base64 ($Record | ConvertTo-Json -Compress -Depth 5); lease = $Lease }
        }
        function Get-EtcdKey([string] $Prefix) {
            $response = Invoke-Etcd range @{ key = ConvertTo-Base64 $Prefix; range_end = ConvertTo-Base64 (Get-RangeEnd $Prefix); keys_only = $true }
            @($response.kvs | Where-Object { $_ } | ForEach-Object { [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($_.key)) })
        }
        function Remove-EtcdKey([string] $Prefix) {
            $null = Invoke-Etcd deleterange @{ key = ConvertTo-Base64 $Prefix; range_end = ConvertTo-Base64 (Get-RangeEnd $Prefix) }
        }
        # Under a lease, as an agent registers: a host key without one is not a host.
        $script:FakeHostLease = (Invoke-RestMethod -Method Post -Uri "$Endpoint/v3/lease/grant" -ContentType 'application/json' -Body '{"TTL":3600}').ID
        function Set-FakeHost([string] $Name, [hashtable] $Labels) {
            Set-EtcdRecord "/dokkaa/hosts/$Name" @{ address = '10.9.0.1'; agentVersion = '0.1.0'; labels = $Labels } -Lease $FakeHostLease
        }
        function Set-FakeClaim([string] $App, [string] $Name, [int] $Instance, [string] $HostName) {
            Set-EtcdRecord "/dokkaa/instances/$App/$Name/$Instance" @{ host = $HostName; address = '10.9.0.1'; manifestHash = 'pester'; state = 'Running' }
        }

        # pfake1 runs all four instances of web, and pinned, which only pfake1 (gpu) can run.
        Set-FakeHost pfake1 @{ pool = 'pester'; gpu = 'yes' }
        Set-FakeHost pfake2 @{ pool = 'pester' }
        Set-FakeHost pfake3 @{ pool = 'pester' }
        '{ "image": "dokkaa/busybox:test", "scale": 4, "constraints": { "pool": "pester" } }' | Set-DokkaaManifest -App pesterhosts -Name web
        '{ "image": "dokkaa/busybox:test", "scale": 1, "constraints": { "pool": "pester", "gpu": "yes" } }' | Set-DokkaaManifest -App pesterhosts -Name pinned
        1..4 | ForEach-Object { Set-FakeClaim pesterhosts web $_ pfake1 }
        Set-FakeClaim pesterhosts pinned 1 pfake1
    }
    AfterAll {
        Get-DokkaaManifest -App pesterhosts -ErrorAction SilentlyContinue | Remove-DokkaaManifest -Confirm:$false
        foreach ($prefix in '/dokkaa/instances/pesterhosts/', '/dokkaa/evict/pesterhosts/', '/dokkaa/drain/pfake', '/dokkaa/hosts/pfake') { Remove-EtcdKey $prefix }
    }

    It 'completes -HostName from the live hosts' {
        $line = 'Suspend-DokkaaHost -HostName pfak'
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be @('pfake1', 'pfake2', 'pfake3')
    }

    It 'Optimize-DokkaaPlacement -WhatIf plans the moves and makes none' {
        $verbose = Optimize-DokkaaPlacement -WhatIf -Verbose 4>&1 | ForEach-Object Message
        ($verbose -join "`n") | Should -BeLike '*pesterhosts/web/4 off pfake1, pesterhosts/web/3 off pfake1*'
        Get-EtcdKey '/dokkaa/evict/' | Should -BeNullOrEmpty
        @(Get-DokkaaContainer -App pesterhosts -Name web -HostName pfake1).Count | Should -Be 4
    }

    It 'Suspend-DokkaaHost -WhatIf changes nothing' {
        Suspend-DokkaaHost -HostName pfake1 -WhatIf | Should -BeNullOrEmpty
        Get-EtcdKey '/dokkaa/drain/' | Should -BeNullOrEmpty
        Get-EtcdKey '/dokkaa/evict/' | Should -BeNullOrEmpty
    }

    It 'refuses a host that is not live with DokkaaHostNotFound' {
        { Suspend-DokkaaHost -HostName nosuchhost -ErrorAction Stop } | Should -Throw -ErrorId 'DokkaaHostNotFound*'
        { Resume-DokkaaHost nosuchhost -ErrorAction Stop } | Should -Throw -ErrorId 'DokkaaHostNotFound*'
        Suspend-DokkaaHost nosuchhost -ErrorAction SilentlyContinue -ErrorVariable missing
        $missing[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        Get-EtcdKey '/dokkaa/drain/' | Should -BeNullOrEmpty
    }

    It 'drains a host that runs nothing and resumes it, from the pipeline' {
        Get-DokkaaHost -Name pfake3 | Suspend-DokkaaHost | Should -BeNullOrEmpty
        Get-EtcdKey '/dokkaa/drain/' | Should -Be @('/dokkaa/drain/pfake3')
        $resumed = [pscustomobject]@{ Name = 'pfake3' } | Resume-DokkaaHost -PassThru
        $resumed.Name | Should -Be 'pfake3'
        Get-EtcdKey '/dokkaa/drain/' | Should -BeNullOrEmpty
    }

    It 'leaves a host drained, and says so, when an instance can go nowhere else' {
        Suspend-DokkaaHost pfake1 -ErrorAction SilentlyContinue -ErrorVariable failed -WarningAction SilentlyContinue -WarningVariable warned
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'DokkaaConflict*'
        $failed[0].CategoryInfo.Category | Should -Be 'ResourceBusy'
        $failed[0].Exception.Message | Should -BeLike '*pesterhosts/pinned/1 cannot move off pfake1*'
        $warned[0].Message | Should -BeLike 'pfake1 stays drained*'
        Get-EtcdKey '/dokkaa/drain/' | Should -Be @('/dokkaa/drain/pfake1')
        Get-EtcdKey '/dokkaa/evict/' | Should -BeNullOrEmpty
        (Get-DokkaaContainer -App pesterhosts -Name pinned).Host | Should -Be 'pfake1'
        Resume-DokkaaHost pfake1
        Get-EtcdKey '/dokkaa/drain/' | Should -BeNullOrEmpty
    }

    It 'Optimize-DokkaaPlacement reports each move that does not happen and goes on' {
        # No agent runs the made-up hosts, so neither move completes.
        $moved = Optimize-DokkaaPlacement -Timeout 1 -ErrorAction SilentlyContinue -ErrorVariable failed
        $moved | Should -BeNullOrEmpty
        @($failed | Where-Object FullyQualifiedErrorId -like 'DokkaaTimeout*').Count | Should -Be 2
        $failed[0].CategoryInfo.Category | Should -Be 'OperationTimeout'
        Get-EtcdKey '/dokkaa/evict/' | Should -BeNullOrEmpty
    }

    It 'stops a move promptly when the pipeline is stopped (Ctrl+C)' {
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript("Import-Module '$(Join-Path $ModuleDir 'Dokkaa.psd1')'; Optimize-DokkaaPlacement -Timeout 600 -Cluster '$Endpoint'")
            $async = $ps.BeginInvoke()
            Wait-Until { @(Get-EtcdKey '/dokkaa/evict/').Count -gt 0 } 'the first move to ask for its instance' 30
            $ps.Stop()
            $async.IsCompleted | Should -BeTrue
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
            Get-EtcdKey '/dokkaa/evict/' | Should -BeNullOrEmpty
        }
        finally { $ps.Dispose() }
    }
}

Describe 'Operator story with a real agent' {
    AfterAll {
        Get-DokkaaManifest -App story -ErrorAction SilentlyContinue | Remove-DokkaaManifest -Confirm:$false
    }

    It 'deploys from ConvertFrom-Json and waits until it runs' {
        $status = $SeedNginx | ConvertFrom-Json | Set-DokkaaManifest -App story -Name nginx -PassThru | Wait-DokkaaManifest -Timeout 120
        $status.Converged | Should -BeTrue
        $container = Get-DokkaaContainer -App story -Name nginx
        $container.State | Should -Be 'Running'
        $container.ContainerName | Should -Be 'story---nginx'
        $container.Host | Should -Be $HostId
        (Get-DokkaaStatus -App story -Name nginx).Converged | Should -BeTrue
        # A script can tell an outdated instance: the container's hash is the manifest's ContainerHash.
        $container.ManifestHash | Should -Be (Get-DokkaaManifest -App story -Name nginx).ContainerHash
    }

    It 'resolves the service to an endpoint that answers' {
        $endpoint = Resolve-DokkaaService nginx.story
        $endpoint.Port | Should -BeGreaterThan 0
        # A service name piped as a string, and App/Service piped by property name, find the same endpoint.
        ('nginx.story' | Resolve-DokkaaService).Port | Should -Be $endpoint.Port
        ([pscustomobject]@{ Service = 'nginx'; App = 'story' } | Resolve-DokkaaService).Port | Should -Be $endpoint.Port
        (Invoke-WebRequest "http://127.0.0.1:$($endpoint.Port)/" -TimeoutSec 5).Content.Trim() | Should -Be 'ok'
    }

    It 'scales through the pipeline and converges' {
        Get-DokkaaManifest -App story | Update-DokkaaManifest -Scale 2 -PassThru | Wait-DokkaaManifest -Timeout 120 | ForEach-Object Running | Should -Be 2
        (Get-DokkaaContainer -App story -Name nginx).Count | Should -Be 2
        @(Resolve-DokkaaService nginx -App story).Count | Should -Be 2
        (Get-DokkaaHost -Name $HostId).Instances | Should -Be 2
    }

    It 'times out naming the agent''s error for an image that cannot be pulled' {
        '{ "image": "dokkaa/missing:none", "scale": 1 }' | Set-DokkaaManifest -App story -Name broken
        { Wait-DokkaaManifest -App story -Name broken -Timeout 15 -ErrorAction Stop } |
            Should -Throw -ErrorId 'DokkaaTimeout*' -ExpectedMessage '*0 of 1 running*'
    }

    It 'removes the manifest and the agent removes the containers' {
        Get-DokkaaManifest -App story | Remove-DokkaaManifest -Confirm:$false
        Wait-Until { @(Get-DokkaaContainer -App story).Count -eq 0 } 'the story containers to go' 60
        Resolve-DokkaaService nginx -App story -ErrorAction SilentlyContinue -ErrorVariable notFound
        $notFound[0].FullyQualifiedErrorId | Should -BeLike 'DokkaaServiceNotFound*'
    }
}
