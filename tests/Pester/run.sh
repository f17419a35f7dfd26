#!/usr/bin/env bash
# Runs the Pester suite (tests/Pester/*.Tests.ps1 and examples/runbooks/*.Tests.ps1) in a real pwsh against
# the module as built and packaged by scripts/build-module.sh, a real etcd and a real dokkaa-agent on the
# local Docker. PowerShell and Pester come from scripts/setup.sh (dokkaa_install_powershell); when they
# cannot be had this fails and says how to install them: it never skips.
#
# usage: tests/Pester/run.sh [PATH...]   (default: every suite)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
source "$root/scripts/setup.sh"
dokkaa_install_powershell

command -v etcd >/dev/null 2>&1 || { echo "run.sh: etcd not found (scripts/setup.sh installs it: apt-get install etcd-server)" >&2; exit 1; }
docker info >/dev/null 2>&1 || { echo "run.sh: Docker does not answer (scripts/setup.sh starts dockerd)" >&2; exit 1; }

built=$(bash "$root/scripts/build-module.sh" --out "$root/out")
module=$(sed -n 1p <<<"$built")
export DOKKAA_MODULE_PSD1="$module/Dokkaa.psd1"
export DOKKAA_MODULE_NUPKG
DOKKAA_MODULE_NUPKG=$(sed -n 2p <<<"$built")
dotnet build "$root/src/Dokkaa.Agent/Dokkaa.Agent.csproj" -c Release -nologo -v quiet -clp:ErrorsOnly >&2
dotnet build "$root/src/Dokkaa.Cli/Dokkaa.Cli.csproj" -c Release -nologo -v quiet -clp:ErrorsOnly >&2
bash "$root/scripts/images/build-test-image.sh" >&2
export DOKKAA_PESTER_AGENT="$root/src/Dokkaa.Agent/bin/Release/net10.0/dokkaa-agent"
export DOKKAA_CLI="$root/src/Dokkaa.Cli/bin/Release/net10.0/dokkaa"
# Where Cluster.Tests.ps1 keeps its dokkaa dev cluster's state, so that this script can take the cluster
# down when a run is cut short.
export DOKKAA_PESTER_DEV_STATE="$root/out/pester-dev/dev.json"

paths=("$@")
[ ${#paths[@]} -gt 0 ] || paths=("$root/tests/Pester" "$root/examples/runbooks")
path_list=$(printf "'%s'," "${paths[@]}"); path_list=${path_list%,}

results="$root/out/pester-results.xml"
# pwsh runs in a process group of its own: whatever it started (etcd, agents) is ended with it, even when
# the run is cut short and the suites' AfterAll never runs.
set +e
setsid "$DOKKAA_PWSH" -NoProfile -NonInteractive -Command "
    Import-Module '$DOKKAA_PESTER_PSD1' -ErrorAction Stop
    \$config = New-PesterConfiguration
    \$config.Run.Path = @($path_list)
    \$config.Run.Exit = \$true
    \$config.Output.Verbosity = 'Detailed'
    \$config.TestResult.Enabled = \$true
    \$config.TestResult.OutputPath = '$results'
    Write-Host \"PowerShell \$(\$PSVersionTable.PSVersion), Pester \$((Get-Module Pester).Version)\"
    Invoke-Pester -Configuration \$config
" &
pwsh_pid=$!
cleanup() {
  kill -- -"$pwsh_pid" 2>/dev/null || true
  if [ -f "$DOKKAA_PESTER_DEV_STATE" ]; then "$DOKKAA_CLI" dev down --state "$DOKKAA_PESTER_DEV_STATE" >/dev/null 2>&1 || true; fi
}
trap 'cleanup; exit 130' INT TERM
wait "$pwsh_pid"
status=$?
cleanup
set -e
exit "$status"
