#Requires -Version 7.4
# Connect-DokkaaCluster's TLS and credential parameters in a real pwsh against the built module: the settings are
# checked before etcd is asked, and each problem is a terminating error with its own ErrorId and category that
# names the parameter. No etcd is needed (nothing gets that far); certificates are made with openssl in TestDrive.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'DokkaaTestCluster.psm1') -Force
    Import-DokkaaModuleUnderTest | Out-Null

    $script:Tls = Join-Path $TestDrive 'tls'
    New-Item -ItemType Directory $Tls | Out-Null
    function Invoke-OpenSsl { & openssl @args 2>&1 | Out-Null; if ($LASTEXITCODE) { throw "openssl $args failed" } }
    Invoke-OpenSsl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj '/CN=pester ca' -keyout "$Tls/ca-key.pem" -out "$Tls/ca.pem"
    Invoke-OpenSsl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj '/CN=operator' -keyout "$Tls/operator-key.pem" -out "$Tls/operator.csr"
    Invoke-OpenSsl x509 -req -in "$Tls/operator.csr" -CA "$Tls/ca.pem" -CAkey "$Tls/ca-key.pem" -CAcreateserial -days 1 -out "$Tls/operator.pem"
    Invoke-OpenSsl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj '/CN=other' -keyout "$Tls/other-key.pem" -out "$Tls/other.csr"
    chmod 600 "$Tls/operator-key.pem" "$Tls/other-key.pem"

    $script:Https = 'https://127.0.0.1:1'
    $script:Operator = [pscredential]::new('operator', (ConvertTo-SecureString 'pw' -AsPlainText -Force))

    # The error a Connect-DokkaaCluster call stops with (it must stop: -ErrorAction Stop turns nothing into an exception here).
    function Get-ConnectError([hashtable] $Parameters) {
        try {
            Connect-DokkaaCluster @Parameters -ErrorAction Stop | Out-Null
        }
        catch {
            return $_
        }
        throw 'Connect-DokkaaCluster did not fail'
    }
}

AfterAll {
    Disconnect-DokkaaCluster
    Remove-Module Dokkaa, DokkaaTestCluster -ErrorAction SilentlyContinue
}

Describe 'Connect-DokkaaCluster with TLS and credentials' {
    BeforeEach {
        foreach ($name in 'DOKKAA_ETCD_CA', 'DOKKAA_ETCD_CERT', 'DOKKAA_ETCD_KEY', 'DOKKAA_ETCD_USER', 'DOKKAA_ETCD_PASSWORD', 'DOKKAA_ETCD_PASSWORD_FILE') {
            Remove-Item "env:$name" -ErrorAction SilentlyContinue
        }
    }

    It 'has the parameters, with help' {
        $command = Get-Command Connect-DokkaaCluster
        $command.Parameters['Credential'].ParameterType | Should -Be ([pscredential])
        $command.Parameters.Keys | Should -Contain 'CertificatePath'
        $command.Parameters.Keys | Should -Contain 'KeyPath'
        $command.Parameters.Keys | Should -Contain 'CaPath'
        $command.Parameters.Keys | Should -Not -Contain 'Password'
        # The module's own help file (Get-Help may prefer help that an earlier Update-Help saved under $HOME).
        [xml] $maml = Get-Content (Join-Path (Get-Module Dokkaa).ModuleBase 'en-US' 'Dokkaa.PowerShell.dll-Help.xml') -Raw
        $connect = $maml.helpItems.command | Where-Object { $_.details.name -eq 'Connect-DokkaaCluster' }
        foreach ($name in 'Credential', 'CertificatePath', 'KeyPath', 'CaPath') {
            $parameter = $connect.parameters.parameter | Where-Object { $_.name -eq $name }
            ($parameter.description.para -join ' ') | Should -Not -BeNullOrEmpty -Because "-$name needs help text"
        }
        (($connect.parameters.parameter | Where-Object { $_.name -eq 'CertificatePath' }).description.para -join ' ') | Should -Match 'KeyPath'
    }

    It 'refuses a certificate without its key, naming both parameters' {
        $e = Get-ConnectError @{ Endpoint = $Https; CertificatePath = "$Tls/operator.pem" }
        $e.FullyQualifiedErrorId | Should -BeLike 'DokkaaEtcdSettingInvalid,*'
        $e.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $e.Exception.Message | Should -Be '-CertificatePath: a client certificate needs its private key: give -KeyPath too'
    }

    It 'refuses a missing CA file as ObjectNotFound' {
        $e = Get-ConnectError @{ Endpoint = $Https; CaPath = "$Tls/nope.pem" }
        $e.FullyQualifiedErrorId | Should -BeLike 'DokkaaEtcdFileNotFound,*'
        $e.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $e.Exception.Message | Should -BeLike '-CaPath: *nope.pem does not exist'
    }

    It 'resolves relative paths against the current location' {
        Push-Location $Tls
        try {
            $e = Get-ConnectError @{ Endpoint = $Https; CaPath = './nope.pem' }
            $e.Exception.Message | Should -Be "-CaPath: $(Join-Path $Tls 'nope.pem') does not exist"
        }
        finally { Pop-Location }
    }

    It 'refuses a key that is not the certificate''s as ReadError' {
        $e = Get-ConnectError @{ Endpoint = $Https; CertificatePath = "$Tls/operator.pem"; KeyPath = "$Tls/other-key.pem" }
        $e.FullyQualifiedErrorId | Should -BeLike 'DokkaaEtcdFileUnreadable,*'
        $e.CategoryInfo.Category | Should -Be 'ReadError'
    }

    It 'refuses a key every user can read as SecurityError' {
        Copy-Item "$Tls/operator-key.pem" "$Tls/open-key.pem"
        chmod 644 "$Tls/open-key.pem"
        $e = Get-ConnectError @{ Endpoint = $Https; CertificatePath = "$Tls/operator.pem"; KeyPath = "$Tls/open-key.pem" }
        $e.FullyQualifiedErrorId | Should -BeLike 'DokkaaEtcdSecretExposed,*'
        $e.CategoryInfo.Category | Should -Be 'SecurityError'
        $e.Exception.Message | Should -BeLike '-KeyPath: *chmod 600*'
    }

    It 'refuses certificates with an http:// endpoint' {
        $e = Get-ConnectError @{ Endpoint = 'http://127.0.0.1:1'; CaPath = "$Tls/ca.pem" }
        $e.FullyQualifiedErrorId | Should -BeLike 'DokkaaEtcdSettingInvalid,*'
        $e.Exception.Message | Should -BeLike '-Endpoint: *is not https:// but -CaPath asks for TLS*'
    }

    It 'names the environment variable when the bad setting came from there' {
        $env:DOKKAA_ETCD_USER = 'operator'
        $e = Get-ConnectError @{ Endpoint = 'http://127.0.0.1:1' }
        $e.FullyQualifiedErrorId | Should -BeLike 'DokkaaEtcdSettingInvalid,*'
        $e.Exception.Message | Should -BeLike '$env:DOKKAA_ETCD_USER: user operator needs a password*'
    }

    It 'accepts good settings and only then asks etcd (which is not there)' {
        $e = Get-ConnectError @{ Endpoint = $Https; CaPath = "$Tls/ca.pem"; CertificatePath = "$Tls/operator.pem"; KeyPath = "$Tls/operator-key.pem"; Credential = $Operator }
        $e.FullyQualifiedErrorId | Should -BeLike 'DokkaaClusterUnreachable,*'
        $e.Exception.Message | Should -Not -Match 'pw'
    }
}
