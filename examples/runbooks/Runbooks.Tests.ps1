#Requires -Version 7.4
# What every runbook of this folder promises an operator, checked on all of them: comment-based help with
# examples and a description of every parameter, and -WhatIf/-Confirm (they all change the cluster).

BeforeDiscovery {
    $Runbooks = Get-ChildItem (Join-Path $PSScriptRoot '*.ps1') -Exclude '*.Tests.ps1' |
        ForEach-Object { @{ File = $_.FullName; Command = $_.BaseName } }
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '..' '..' 'tests' 'Pester' 'DokkaaTestCluster.psm1') -Force
    $null = Import-DokkaaModuleUnderTest
}

Describe 'Runbook <Command>' -ForEach $Runbooks {
    BeforeAll {
        . $File
        $script:Info = Get-Command $Command -CommandType Function
        $script:Help = Get-Help $Command -Full
        $common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
        $script:Own = @($Info.Parameters.Keys | Where-Object { $_ -notin $common })
    }

    It 'defines the function its file is named after, with an approved verb' {
        $Info.Name | Should -Be $Command
        (Get-Verb).Verb | Should -Contain $Info.Verb
    }

    It 'supports -WhatIf and -Confirm' {
        $Info.Parameters.Keys | Should -Contain 'WhatIf'
        $Info.Parameters.Keys | Should -Contain 'Confirm'
    }

    It 'has comment-based help: synopsis, description, two examples or more' {
        $Help.Synopsis | Should -Not -Match '<CommonParameters>'   # not the syntax line Get-Help makes up without help
        $Help.Synopsis | Should -Not -BeNullOrEmpty
        ($Help.Description.Text -join "`n") | Should -Not -BeNullOrEmpty
        @($Help.Examples.Example | Where-Object { $_ }).Count | Should -BeGreaterOrEqual 2
    }

    It 'describes every parameter in its help' {
        foreach ($name in $Own) {
            $entry = $Help.Parameters.Parameter | Where-Object Name -eq $name
            ($entry.Description.Text -join '') | Should -Not -BeNullOrEmpty -Because "-$name of $Command needs a .PARAMETER description"
        }
    }

    It 'takes -Cluster, passed on to the Dokkaa cmdlets' {
        $Own | Should -Contain 'Cluster'
    }
}
