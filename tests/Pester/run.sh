#!/usr/bin/env bash
# Runs the Pester 5 suite (tests/Pester/*.Tests.ps1) against the built module, a real etcd and, where Docker
# answers, a real dokkaa-agent. Where pwsh is not on PATH it says so plainly and runs nothing: no
# PowerShell runtime can be installed on the project's Debian machines (see the README), so the xUnit
# tests in tests/Dokkaa.PowerShell.Tests are what runs there.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

if ! command -v pwsh >/dev/null 2>&1; then
    echo "Pester suite skipped: pwsh not found"
    exit 0
fi
if ! pwsh -NoProfile -NonInteractive -Command 'if (Get-Module -ListAvailable Pester | Where-Object Version -ge ([version]"5.0.0")) { exit 0 } else { exit 1 }'; then
    echo "Pester suite skipped: pwsh found, but not Pester 5 (Install-Module Pester -MinimumVersion 5.0.0)"
    exit 0
fi
command -v etcd >/dev/null 2>&1 || { echo "run.sh: etcd not found (apt-get install etcd-server)" >&2; exit 1; }

module=$(bash "$root/scripts/build-module.sh" --out "$root/out" | head -n 1)
export DOKKAA_MODULE_PSD1="$module/Dokkaa.psd1"

# The stories with a real agent need Docker and the local test image (no registry can be reached).
unset DOKKAA_PESTER_AGENT
if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
    dotnet build "$root/src/Dokkaa.Agent/Dokkaa.Agent.csproj" -c Release -nologo -v quiet >&2
    bash "$root/scripts/images/build-test-image.sh" >&2
    export DOKKAA_PESTER_AGENT="$root/src/Dokkaa.Agent/bin/Release/net10.0/dokkaa-agent"
else
    echo "Docker does not answer: the stories with a real agent are skipped (the suite says so per test)" >&2
fi

results="$root/out/pester-results.xml"
exec pwsh -NoProfile -NonInteractive -Command "
    \$config = New-PesterConfiguration
    \$config.Run.Path = '$root/tests/Pester'
    \$config.Run.Exit = \$true
    \$config.Output.Verbosity = 'Detailed'
    \$config.TestResult.Enabled = \$true
    \$config.TestResult.OutputPath = '$results'
    Invoke-Pester -Configuration \$config
"
