#Requires -Version 7.4
# How an operator gets the module: the nupkg that scripts/build-module.sh packs, installed from a local
# repository with PSResourceGet (Install-PSResource) and with PowerShellGet 2 (Install-Module), each into a
# clean HOME by a fresh pwsh that has never seen the build output. Then what they do first: import it,
# read the help, update the help.
#   DOKKAA_MODULE_NUPKG  the built Dokkaa.<version>.nupkg (tests/Pester/run.sh sets it)
#   DOKKAA_MODULE_PSD1   the built module folder's Dokkaa.psd1 (its help/ files sit in out/help)

BeforeDiscovery {
    $Cmdlets = (Import-PowerShellDataFile (Join-Path $PSScriptRoot '..' '..' 'Dokkaa.psd1')).CmdletsToExport
}

BeforeAll {
    $script:Root = (Resolve-Path (Join-Path $PSScriptRoot '..' '..')).Path
    $script:Nupkg = $env:DOKKAA_MODULE_NUPKG
    if (-not $Nupkg -or -not (Test-Path $Nupkg)) { throw 'DOKKAA_MODULE_NUPKG is not set: run tests/Pester/run.sh, which builds the package' }
    $script:HelpSource = Join-Path (Split-Path $Nupkg) 'help'
    $script:Pwsh = if ($env:DOKKAA_PWSH) { $env:DOKKAA_PWSH } else { [Environment]::ProcessPath }
    $script:Declared = (Import-PowerShellDataFile (Join-Path $Root 'Dokkaa.psd1')).CmdletsToExport | Sort-Object

    # Runs a script in a new pwsh whose HOME is a fresh folder and whose module path is the default one
    # (nothing inherited from this session), with a local repository holding only the nupkg. The script's
    # last output line must be JSON; it comes back as an object.
    function Invoke-CleanPwsh([string] $Script) {
        $home_ = New-Item -ItemType Directory -Path (Join-Path ([IO.Path]::GetTempPath()) "dokkaa-home-$([guid]::NewGuid().ToString('N'))")
        try {
            $repo = New-Item -ItemType Directory -Path (Join-Path $home_ 'repo')
            Copy-Item $Nupkg $repo
            $info = [Diagnostics.ProcessStartInfo]::new($Pwsh)
            foreach ($arg in '-NoProfile', '-NonInteractive', '-Command', "`$Repo = '$($repo.FullName)'; `$HelpSource = '$HelpSource'; $Script") { $info.ArgumentList.Add($arg) }
            $info.Environment['HOME'] = $home_.FullName
            $info.Environment.Remove('PSModulePath') | Out-Null
            $info.Environment.Remove('XDG_DATA_HOME') | Out-Null
            $info.Environment.Remove('XDG_CONFIG_HOME') | Out-Null
            $info.RedirectStandardOutput = $true
            $info.RedirectStandardError = $true
            $process = [Diagnostics.Process]::Start($info)
            $stderr = $process.StandardError.ReadToEndAsync()
            $stdout = $process.StandardOutput.ReadToEnd()
            $process.WaitForExit()
            if ($process.ExitCode -ne 0) { throw "pwsh exited with $($process.ExitCode): $stdout $($stderr.Result)" }
            $last = ($stdout -split "`n" | Where-Object { $_.Trim() }) | Select-Object -Last 1
            [pscustomobject]@{ Result = $last | ConvertFrom-Json; Home = $home_.FullName; StdErr = $stderr.Result }
        }
        finally { Remove-Item -Recurse -Force $home_ -ErrorAction SilentlyContinue }
    }

    # What is checked after either installer: where the module went, what it exports, and its help.
    $script:Probe = @'
$module = Get-Module -ListAvailable Dokkaa
Import-Module Dokkaa -ErrorAction Stop
$commands = Get-Command -Module Dokkaa
$help = foreach ($c in $commands) {
    $h = Get-Help $c.Name -Full
    [pscustomobject]@{ Name = $c.Name; Synopsis = $h.Synopsis; Examples = @($h.Examples.Example).Count; Parameters = @($h.Parameters.Parameter).Count; HelpUri = $c.HelpUri }
}
@{
    Base = $module.ModuleBase; Version = "$($module.Version)"; Commands = @($commands.Name | Sort-Object)
    Help = @($help); About = (Get-Help about_Dokkaa | Out-String); HelpInfoUri = (Get-Module Dokkaa).HelpInfoUri
} | ConvertTo-Json -Depth 4 -Compress
'@
}

Describe 'Installing the package' {
    It 'installs with PSResourceGet (Install-PSResource) from a local repository and imports' {
        $run = Invoke-CleanPwsh (@'
$ErrorActionPreference = 'Stop'
Register-PSResourceRepository -Name DokkaaLocal -Uri $Repo -Trusted
Install-PSResource -Name Dokkaa -Repository DokkaaLocal -Scope CurrentUser -TrustRepository -Quiet
'@ + "`n" + $Probe)
        $run.Result.Base | Should -BeLike "$($run.Home)/*/Modules/Dokkaa/*"
        $run.Result.Commands | Should -Be $Declared
        $run.Result.HelpInfoUri | Should -Not -BeNullOrEmpty
        $run.StdErr | Should -BeNullOrEmpty
    }

    It 'installs with PowerShellGet 2 (Install-Module) from a local repository and imports' {
        $run = Invoke-CleanPwsh (@'
$ErrorActionPreference = 'Stop'
Register-PSRepository -Name DokkaaLocal -SourceLocation $Repo -InstallationPolicy Trusted
Install-Module -Name Dokkaa -Repository DokkaaLocal -Scope CurrentUser
'@ + "`n" + $Probe)
        $run.Result.Base | Should -BeLike "$($run.Home)/*/Modules/Dokkaa/*"
        $run.Result.Commands | Should -Be $Declared
        $run.StdErr | Should -BeNullOrEmpty
    }
}

Describe 'Help of the installed module' {
    BeforeAll {
        $script:Installed = (Invoke-CleanPwsh (@'
Register-PSResourceRepository -Name DokkaaLocal -Uri $Repo -Trusted
Install-PSResource -Name Dokkaa -Repository DokkaaLocal -Scope CurrentUser -TrustRepository -Quiet
'@ + "`n" + $Probe)).Result
    }

    It 'Get-Help -Full of <_> shows the synopsis of its page, its examples, parameters and online page' -ForEach $Cmdlets {
        $help = $Installed.Help | Where-Object Name -EQ $_
        $page = Get-Content -Raw (Join-Path $Root 'docs' 'cmdlets' "$_.md")
        $help.Synopsis | Should -Be ([regex]::Match($page, '## SYNOPSIS\r?\n(.+?)\r?\n').Groups[1].Value)
        $help.Examples | Should -BeGreaterOrEqual 2
        $help.HelpUri | Should -Be "https://github.com/dokkaa/dokkaa/blob/main/docs/cmdlets/$_.md"
        if ($page -match '### -(?!Cluster\b)\w+') { $help.Parameters | Should -BeGreaterThan 0 }
    }

    It 'about_Dokkaa reads at 80 columns' {
        $Installed.About | Should -Match 'Set-DokkaaManifest'
        $long = $Installed.About -split "`n" | Where-Object { $_.TrimEnd().Length -gt 80 }
        $long | Should -BeNullOrEmpty
    }

    It 'Update-Help installs the help from the files published at HelpInfoURI' {
        # Offline: -SourcePath reads the same two files (HelpInfo.xml, the content zip) that the release publishes.
        $run = Invoke-CleanPwsh @'
$ErrorActionPreference = 'Stop'
Register-PSResourceRepository -Name DokkaaLocal -Uri $Repo -Trusted
Install-PSResource -Name Dokkaa -Repository DokkaaLocal -Scope CurrentUser -TrustRepository -Quiet
Update-Help -Module Dokkaa -SourcePath $HelpSource -UICulture en-US -Force
$updated = Get-ChildItem -Recurse -File (Join-Path ([Environment]::GetFolderPath('LocalApplicationData')) 'powershell' 'Help' 'Dokkaa') | ForEach-Object Name
@{ Updated = @($updated | Sort-Object) } | ConvertTo-Json -Compress
'@
        $run.Result.Updated | Should -Contain 'Dokkaa.PowerShell.dll-Help.xml'
        $run.Result.Updated | Should -Contain 'about_Dokkaa.help.txt'
    }
}

Describe 'Dependencies of the installed module' {
    It 'loads Dokkaa.Core into pwsh''s default context (scripts name its types) and every library under it into a context of its own' {
        $run = Invoke-CleanPwsh @'
$ErrorActionPreference = 'Stop'
Register-PSResourceRepository -Name DokkaaLocal -Uri $Repo -Trusted
Install-PSResource -Name Dokkaa -Repository DokkaaLocal -Scope CurrentUser -TrustRepository -Quiet
Import-Module Dokkaa
$manifest = New-DokkaaManifest -Image 'nginx:1.25' -Scale 2
$valid = $manifest | Test-DokkaaManifest
$typed = [Dokkaa.Core.Manifests.Manifest]::new().GetType().FullName
# Connecting builds the etcd client and probes the cluster: nothing listens on port 9, so it fails, after
# loading the client.
try { Connect-DokkaaCluster -Endpoint 'http://127.0.0.1:9' } catch { $connectError = $_.FullyQualifiedErrorId }
$folder = Join-Path (Get-Module Dokkaa).ModuleBase 'Dependencies'
$shipped = @(Get-ChildItem $folder -Filter *.dll -ErrorAction SilentlyContinue | ForEach-Object BaseName)
$loaded = foreach ($assembly in [AppDomain]::CurrentDomain.GetAssemblies()) {
    $name = $assembly.GetName().Name
    if ($name -like 'Dokkaa.*' -or $shipped -contains $name) {
        [pscustomobject]@{ Name = $name; Context = [Runtime.Loader.AssemblyLoadContext]::GetLoadContext($assembly).Name; Path = $assembly.Location }
    }
}
@{ Valid = $valid; Typed = $typed; ConnectError = $connectError; Shipped = $shipped; Loaded = @($loaded) } | ConvertTo-Json -Depth 3 -Compress
'@
        $run.Result.Valid | Should -BeTrue
        $run.Result.Typed | Should -Be 'Dokkaa.Core.Manifests.Manifest'
        $run.Result.ConnectError | Should -BeLike 'DokkaaClusterUnreachable,*'
        ($run.Result.Loaded | Where-Object Name -EQ 'Dokkaa.Core').Context | Should -Be 'Default'
        foreach ($assembly in $run.Result.Loaded | Where-Object { $run.Result.Shipped -contains $_.Name }) {
            $assembly.Context | Should -Be 'Dokkaa.PowerShell dependencies' -Because "$($assembly.Name) was loaded from $($assembly.Path)"
            $assembly.Path | Should -BeLike '*/Dependencies/*'
        }
    }
}

Describe 'A session where another module loaded another version of the etcd client''s libraries' {
    BeforeAll {
        Import-Module (Join-Path $PSScriptRoot 'DokkaaTestCluster.psm1') -Force
        Import-DokkaaModuleUnderTest
        $script:Cluster = Start-DokkaaTestCluster -Name 'alcconflict' -Hosts 0
        # What another module could bring: a Google.Protobuf of another version (1.0.0.0, and empty).
        $script:Conflict = New-Item -ItemType Directory -Path (Join-Path ([IO.Path]::GetTempPath()) "dokkaa-conflict-$([guid]::NewGuid().ToString('N'))")
        $builder = [System.Reflection.Emit.PersistedAssemblyBuilder]::new([Reflection.AssemblyName]::new('Google.Protobuf, Version=1.0.0.0'), [object].Assembly)
        $null = $builder.DefineDynamicModule('Google.Protobuf').DefineType('Google.Protobuf.NotTheRealOne', [Reflection.TypeAttributes]'Public, Sealed').CreateType()
        $builder.Save((Join-Path $Conflict 'Google.Protobuf.dll'))
    }

    AfterAll {
        Stop-DokkaaTestCluster $Cluster -App alcconflict
        Remove-Item -Recurse -Force $Conflict -ErrorAction SilentlyContinue
    }

    It 'writes and reads manifests through its own copy' {
        $run = Invoke-CleanPwsh (@'
$ErrorActionPreference = 'Stop'
Add-Type -Path (Join-Path '@CONFLICT@' 'Google.Protobuf.dll')
Register-PSResourceRepository -Name DokkaaLocal -Uri $Repo -Trusted
Install-PSResource -Name Dokkaa -Repository DokkaaLocal -Scope CurrentUser -TrustRepository -Quiet
Import-Module Dokkaa
Connect-DokkaaCluster -Endpoint '@ENDPOINT@' | Out-Null
New-DokkaaManifest -Image 'nginx:1.25' -Scale 2 | Set-DokkaaManifest -App alcconflict -Name web -Confirm:$false | Out-Null
$read = Get-DokkaaManifest -App alcconflict -Name web
$protobufs = foreach ($assembly in [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'Google.Protobuf' }) {
    [pscustomobject]@{ Version = "$($assembly.GetName().Version)"; Context = [Runtime.Loader.AssemblyLoadContext]::GetLoadContext($assembly).Name }
}
@{ Scale = $read.Manifest.Scale; Image = $read.Manifest.Image; Protobufs = @($protobufs) } | ConvertTo-Json -Depth 3 -Compress
'@).Replace('@CONFLICT@', $Conflict.FullName).Replace('@ENDPOINT@', $Cluster.Endpoint)
        $run.Result.Scale | Should -Be 2
        $run.Result.Image | Should -Be 'nginx:1.25'
        ($run.Result.Protobufs | Where-Object Context -EQ 'Default').Version | Should -Be '1.0.0.0' -Because ($run.Result.Protobufs | ConvertTo-Json -Compress)
        ($run.Result.Protobufs | Where-Object Context -EQ 'Dokkaa.PowerShell dependencies').Version | Should -BeLike '3.*'
    }
}
