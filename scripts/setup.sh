#!/usr/bin/env bash
# Installs and starts what Dokkaa needs on a fresh Debian 12 machine: Docker Engine, etcd, nginx, DNS
# tools, busybox (for the local stand-in images). Idempotent: a second run only checks.
# Sourced by the other scripts; run it alone to prepare a machine.
set -euo pipefail

DOKKAA_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export DOKKAA_ROOT
DOKKAA_PACKAGES=(docker.io etcd-server etcd-client openssl nginx busybox-static bash curl iproute2 iptables
  bind9-dnsutils knot-dnsutils dnsperf dnsmasq-base wrk procps psmisc chromium)

dokkaa_log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

dokkaa_install_packages() {
  local missing=()
  for p in "${DOKKAA_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if ((${#missing[@]})); then
    dokkaa_log "Installing ${missing[*]}"
    local sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  # A plain `apt-get install etcd-server` starts a system etcd on :2379 on some machines; we run our own.
}

dokkaa_start_dockerd() {
  if docker version >/dev/null 2>&1; then return 0; fi
  dokkaa_log "Starting dockerd (log: /tmp/dokkaa-dockerd.log)"
  local sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo bash -c 'nohup dockerd >/tmp/dokkaa-dockerd.log 2>&1 &'
  local deadline=$((SECONDS + 60))
  until docker version >/dev/null 2>&1; do
    if ((SECONDS > deadline)); then
      echo "dockerd did not come up within 60s; last log lines:" >&2; tail -20 /tmp/dokkaa-dockerd.log >&2; return 1
    fi
    sleep 0.2
  done
}

# Starts a single-member etcd on 127.0.0.1:$1 with data in $2, unless one already answers there.
dokkaa_start_etcd() {
  local port="${1:-2379}" data="${2:-/tmp/dokkaa-etcd}"
  if curl -fsS "http://127.0.0.1:${port}/health" >/dev/null 2>&1; then return 0; fi
  dokkaa_log "Starting etcd on 127.0.0.1:${port} (data: ${data}, log: ${data}.log)"
  mkdir -p "$data"
  nohup etcd --name dokkaa --data-dir "$data" \
    --listen-client-urls "http://127.0.0.1:${port}" --advertise-client-urls "http://127.0.0.1:${port}" \
    --listen-peer-urls "http://127.0.0.1:$((port + 1))" --initial-advertise-peer-urls "http://127.0.0.1:$((port + 1))" \
    --initial-cluster "dokkaa=http://127.0.0.1:$((port + 1))" >"${data}.log" 2>&1 &
  local deadline=$((SECONDS + 30))
  until curl -fsS "http://127.0.0.1:${port}/health" >/dev/null 2>&1; do
    if ((SECONDS > deadline)); then echo "etcd did not come up; see ${data}.log" >&2; return 1; fi
    sleep 0.2
  done
}

# PowerShell 7.6 (a .NET tool) and Pester 5 (from NuGet) in $DOKKAA_ROOT/.tools, for the module's Pester suite.
# Exports DOKKAA_PWSH and DOKKAA_PESTER_PSD1 and puts pwsh on PATH. Versions are pinned: the newest
# PowerShell tool package does not install here.
DOKKAA_PWSH_VERSION=7.6.10
DOKKAA_PESTER_VERSION=5.7.1
dokkaa_install_powershell() {
  local tools="$DOKKAA_ROOT/.tools"
  # pwsh reports telemetry and looks for updates at start-up: neither may leave this machine.
  export POWERSHELL_TELEMETRY_OPTOUT=1 POWERSHELL_UPDATECHECK=Off DOTNET_CLI_TELEMETRY_OPTOUT=1
  export DOKKAA_PWSH="$tools/pwsh/pwsh"
  export DOKKAA_PESTER_PSD1="$tools/nuget/pester/$DOKKAA_PESTER_VERSION/tools/Pester.psd1"
  if [ ! -x "$DOKKAA_PWSH" ] || ! "$DOKKAA_PWSH" -NoProfile -NonInteractive -Command '$PSVersionTable.PSVersion.ToString()' 2>/dev/null | grep -qx "$DOKKAA_PWSH_VERSION"; then
    dokkaa_log "Installing PowerShell $DOKKAA_PWSH_VERSION (dotnet tool) into $tools/pwsh"
    rm -rf "$tools/pwsh"
    dotnet tool install PowerShell --version "$DOKKAA_PWSH_VERSION" --tool-path "$tools/pwsh" >/dev/null \
      || { echo "Could not install PowerShell $DOKKAA_PWSH_VERSION: dotnet tool install PowerShell --version $DOKKAA_PWSH_VERSION --tool-path $tools/pwsh" >&2; return 1; }
  fi
  if [ ! -f "$DOKKAA_PESTER_PSD1" ]; then
    dokkaa_log "Installing Pester $DOKKAA_PESTER_VERSION (NuGet) into $tools/nuget"
    dotnet restore "$DOKKAA_ROOT/tests/Pester/tools/PesterRestore.csproj" --packages "$tools/nuget" -nologo -v quiet >/dev/null \
      || { echo "Could not restore Pester $DOKKAA_PESTER_VERSION from NuGet (tests/Pester/tools/PesterRestore.csproj)" >&2; return 1; }
    [ -f "$DOKKAA_PESTER_PSD1" ] || { echo "Pester restored, but $DOKKAA_PESTER_PSD1 is missing" >&2; return 1; }
  fi
  case ":$PATH:" in *":$tools/pwsh:"*) ;; *) export PATH="$tools/pwsh:$PATH" ;; esac
}

dokkaa_build() {
  dokkaa_log "Building Dokkaa"
  (cd "$DOKKAA_ROOT" && dotnet build Dokkaa.sln -c Release -nologo -v quiet -clp:ErrorsOnly)
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  dokkaa_install_packages
  dokkaa_start_dockerd
  dokkaa_install_powershell
  dokkaa_build
fi
