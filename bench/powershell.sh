#!/usr/bin/env bash
# The PowerShell module as an operator meets it (pwsh 7.6.10, -NoProfile -NonInteractive, every trial in a
# fresh pwsh process, median of TRIALS after an uncounted trial 0, the subjects alternating within each trial,
# each kind of process with its own pwsh cache directory: see pw() below):
#  1. Import-Module of the built Dokkaa.psd1 (Stopwatch in process, and the wall time of the whole pwsh),
#     against Microsoft.PowerShell.Management, a trivial script module (one function) and `pwsh -c exit`.
#  2. The first and second Get-DokkaaContainer -Cluster <private etcd> after import, over FEW claims, against
#     the same two range requests (/apps/, then /dokkaa/ at that revision) sent by Invoke-RestMethod in the
#     same pwsh and in a fresh one, and `dokkaa ps -o json` run from bash (process start included).
#  3. Get-DokkaaContainer over MANIFESTS x SCALE claims (default 100 x 100 = 10,000) on HOSTS fake hosts:
#     time to the first object and to the last (counted in ForEach-Object), pwsh's peak RSS (VmHWM) and
#     managed allocations, against `dokkaa ps -o json | ConvertFrom-Json` in a fresh pwsh (the same, plus the
#     CLI's own peak RSS from /usr/bin/time).
# The claims are written straight into a private etcd on loopback (no agent, no Docker): reads need no host
# key and no lease (ClusterState takes every well-formed claim), the fake hosts are written without a lease.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# Traffic stays on loopback: pwsh sends telemetry at startup and may check for updates unless told not to.
export POWERSHELL_TELEMETRY_OPTOUT=1 POWERSHELL_UPDATECHECK=Off DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
TRIALS="${TRIALS:-9}"
FEW="${FEW:-5}"
MANIFESTS="${MANIFESTS:-100}"
SCALE="${SCALE:-100}"
HOSTS="${HOSTS:-20}"
MANY=$((MANIFESTS * SCALE))

dokkaa_install_packages
dokkaa_install_powershell
PWSH=("$DOKKAA_PWSH" -NoProfile -NonInteractive)
if [ "$BENCH_SKIP_BUILD" != 1 ]; then
  dokkaa_log "Building the CLI"
  dotnet build "$BENCH_ROOT/src/Dokkaa.Cli" -c Release -nologo -v quiet -clp:ErrorsOnly >&2
fi
dokkaa_log "Building the module (scripts/build-module.sh)"
mapfile -t built < <(bash "$BENCH_ROOT/scripts/build-module.sh" --out "$BENCH_WORK/module")
MODULE="${built[0]}/Dokkaa.psd1"
[ -f "$MODULE" ] || { echo "build-module.sh gave no module (${built[*]:-nothing})" >&2; exit 1; }
# This script deletes every key of its etcd between the phases: make sure the etcd it talks to is its own
# (lib.sh picks a random port; another session's etcd may listen there, and the health check would pass).
while ss -Hltn "( sport = :$BENCH_ETCD_PORT or sport = :$((BENCH_ETCD_PORT + 1)) )" | grep -q .; do
  BENCH_ETCD_PORT=$((23000 + RANDOM % 1000)); BENCH_ETCD="http://127.0.0.1:${BENCH_ETCD_PORT}"
done
bench_start_etcd
sleep 0.5
kill -0 "${BENCH_PIDS[-1]}" 2>/dev/null && [ -d "$BENCH_WORK/etcd/member" ] ||
  { echo "the etcd on $BENCH_ETCD is not the one this script started; log:" >&2; tail -5 "$BENCH_WORK/etcd.log" >&2; exit 1; }

ps1="$BENCH_WORK/ps1"
mkdir -p "$ps1" "$BENCH_WORK/Trivial"
printf '@{ RootModule = %s; ModuleVersion = %s; FunctionsToExport = @(%s) }\n' "'Trivial.psm1'" "'1.0.0'" "'Get-Trivial'" \
  >"$BENCH_WORK/Trivial/Trivial.psd1"
echo 'function Get-Trivial { [pscustomobject]@{ Name = "trivial" } }' >"$BENCH_WORK/Trivial/Trivial.psm1"

# Shared by the scripts below: invariant numbers, and this process's memory from /proc/self/status (kB).
cat >"$ps1/common.ps1" <<'EOF'
$ErrorActionPreference = 'Stop'
[Threading.Thread]::CurrentThread.CurrentCulture = [cultureinfo]::InvariantCulture
function Get-ProcKb([string]$field) {
  foreach ($line in [IO.File]::ReadAllLines('/proc/self/status')) {
    if ($line.StartsWith("${field}:")) { return [long]($line -split '\s+')[1] }
  }
}
function Out-Figures { [Console]::Out.WriteLine((($args | ForEach-Object { '{0:0.0}' -f [double]$_ }) -join ' ')) }
function ConvertTo-B64([string]$s) { [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes($s)) }
EOF

# Writes MANIFESTS manifests (app001/web ...) of SCALE Running claims each, spread over HOSTS hosts, in
# transactions of one manifest's keys (etcd's gateway; at most 128 operations per transaction).
cat >"$ps1/seed.ps1" <<'EOF'
param([string]$Url, [string]$Prefix, [int]$Manifests, [int]$Scale, [int]$Hosts)
. "$PSScriptRoot/common.ps1"
function Send-Txn($puts) {
  $body = @{ success = @($puts | ForEach-Object { @{ request_put = @{ key = (ConvertTo-B64 $_[0]); value = (ConvertTo-B64 $_[1]); lease = $(if ($_[0] -like '/dokkaa/hosts/*') { $lease } else { '0' }) } } }) }
  $null = Invoke-RestMethod -Method Post -Uri "$Url/v3/kv/txn" -Body ($body | ConvertTo-Json -Depth 5 -Compress)
}
$at = '2026-12-01T00:00:00+00:00'
# Hosts under a lease, as agents register (a host key without one is not a host).
$lease = (Invoke-RestMethod -Method Post -Uri "$Url/v3/lease/grant" -Body '{"TTL":3600}').ID
Send-Txn @(1..$Hosts | ForEach-Object {
  , @("/dokkaa/hosts/host$_", "{`"address`":`"10.0.0.$_`",`"agentVersion`":`"bench`",`"startedAt`":`"$at`",`"capacity`":0,`"labels`":{}}") })
foreach ($m in 1..$Manifests) {
  $app = '{0}{1:d3}' -f $Prefix, $m
  $puts = [Collections.Generic.List[object]]::new()
  $puts.Add(@("/apps/$app/web/manifest", "{`"image`":`"dokkaa/busybox:test`",`"scale`":$Scale,`"services`":{`"http`":80}}"))
  foreach ($i in 1..$Scale) {
    $h = 1 + (($m * $Scale + $i) % $Hosts)
    $id = '{0:x8}' -f ($m * 100000 + $i)
    $puts.Add(@("/dokkaa/instances/$app/web/$i",
      "{`"host`":`"host$h`",`"address`":`"10.0.0.$h`",`"containerId`":`"$($id * 8)`",`"manifestHash`":`"bench`",`"state`":`"Running`",`"ports`":{`"80/tcp`":$(32000 + $i)},`"restarts`":0,`"updatedAt`":`"$at`"}"))
  }
  Send-Txn $puts
}
EOF

# 1. Import-Module in a fresh process.
cat >"$ps1/import.ps1" <<'EOF'
param([string]$Module)
$ErrorActionPreference = 'Stop'
$sw = [Diagnostics.Stopwatch]::StartNew()
if ($Module) { Import-Module $Module }
$ms = $sw.Elapsed.TotalMilliseconds
[Console]::Out.WriteLine($ms.ToString('0.0', [cultureinfo]::InvariantCulture))
EOF

# 2. First and second Get-DokkaaContainer, then the same two range requests by Invoke-RestMethod (twice).
cat >"$ps1/first.ps1" <<'EOF'
param([string]$Module, [string]$Url, [int]$Expect, [switch]$NoModule)
. "$PSScriptRoot/common.ps1"
$apps = '{"key":"' + (ConvertTo-B64 '/apps/') + '","range_end":"' + (ConvertTo-B64 '/apps0') + '"}'
function Get-Raw {
  $a = Invoke-RestMethod -Method Post -Uri "$Url/v3/kv/range" -Body $apps
  $b = Invoke-RestMethod -Method Post -Uri "$Url/v3/kv/range" -Body ('{"key":"' + (ConvertTo-B64 '/dokkaa/') + '","range_end":"' + (ConvertTo-B64 '/dokkaa0') + '","revision":"' + $a.header.revision + '"}')
  @($b.kvs | Where-Object { ([Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($_.key))).StartsWith('/dokkaa/instances/') }).Count
}
$sw = [Diagnostics.Stopwatch]::new()
if (-not $NoModule) {
  Import-Module $Module
  $sw.Restart(); $c1 = @(Get-DokkaaContainer -Cluster $Url).Count; $t1 = $sw.Elapsed.TotalMilliseconds
  $sw.Restart(); $c2 = @(Get-DokkaaContainer -Cluster $Url).Count; $t2 = $sw.Elapsed.TotalMilliseconds
  if ($c1 -ne $Expect -or $c2 -ne $Expect) { throw "Get-DokkaaContainer listed $c1 and $c2 containers, not $Expect" }
}
$sw.Restart(); $r1 = Get-Raw; $t3 = $sw.Elapsed.TotalMilliseconds
$sw.Restart(); $r2 = Get-Raw; $t4 = $sw.Elapsed.TotalMilliseconds
if ($r1 -ne $Expect -or $r2 -ne $Expect) { throw "the range requests found $r1 and $r2 claims, not $Expect" }
if ($NoModule) { Out-Figures $t3 $t4 } else { Out-Figures $t1 $t2 $t3 $t4 }
EOF

# 3. Streaming many: time to the first object, to the last, memory; then a second (warm) call.
cat >"$ps1/stream.ps1" <<'EOF'
param([string]$Module, [string]$Cli, [string]$Url, [int]$Expect, [string]$TimeFile, [switch]$UseCli)
. "$PSScriptRoot/common.ps1"
if ($UseCli) {
  $list = { & /usr/bin/time -f '%M' -o $TimeFile $Cli ps --etcd $Url -o json | ConvertFrom-Json }
} else {
  Import-Module $Module
  $list = { Get-DokkaaContainer -Cluster $Url }
}
function Measure-Stream {
  $script:first = -1.0; $script:n = 0
  $sw = [Diagnostics.Stopwatch]::StartNew()
  & $list | ForEach-Object { if ($script:n -eq 0) { $script:first = $sw.Elapsed.TotalMilliseconds }; $script:n++ }
  $total = $sw.Elapsed.TotalMilliseconds
  if ($script:n -ne $Expect) { throw "listed $($script:n) containers, not $Expect" }
  $script:first, $total
}
$hwm0 = Get-ProcKb VmHWM; $alloc0 = [GC]::GetTotalAllocatedBytes($false)
$first1, $total1 = Measure-Stream
$hwm1 = Get-ProcKb VmHWM; $alloc1 = [GC]::GetTotalAllocatedBytes($false)
$cliKb = if ($UseCli) { [double](Get-Content $TimeFile | Select-Object -Last 1) } else { 0 }
$first2, $total2 = Measure-Stream
Out-Figures $first1 $total1 ($hwm1 / 1024) (($hwm1 - $hwm0) / 1024) (($alloc1 - $alloc0) / 1MB) ($cliKb / 1024) $first2 $total2
EOF

# Milliseconds a command takes (its output discarded); fails if the command fails. Assign its output to a
# variable (a=$(wall ...)), so that the failure stops the script.
wall() { local t0 t1; t0=$(now); "$@" >/dev/null || return 1; t1=$(now); awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f\n", (b - a) * 1000 }'; }
# pwsh replays at startup the JIT profile the previous pwsh process wrote (StartupProfileData-NonInteractive in
# $XDG_CACHE_HOME/powershell, with the module analysis cache): a process that follows another kind of process starts
# colder (an Invoke-RestMethod took 50-100 ms longer after a pwsh that had imported Dokkaa). So each kind of
# process gets its own cache, and trial 0 of each phase only warms them (every kind's steady state, not counted).
pw() { local kind="$1"; shift; XDG_CACHE_HOME="$BENCH_WORK/cache/$kind" "${PWSH[@]}" "$@"; }
declare -A F  # F[series]="v1 v2 ..."
t=0
add() { ((t > 0)) || return 0; F[$1]+=" $2"; }
med() { printf '%s\n' ${F[$1]} | median | awk '{ printf "%.0f", $1 }'; }
med1() { printf '%s\n' ${F[$1]} | median | awk '{ printf "%.1f", $1 }'; }
trials() { echo "${F[$1]# }"; }

# --- 1. Import.
dokkaa_log "Import-Module, $TRIALS trials (and trial 0, not counted)"
for t in $(seq 0 "$TRIALS"); do
  subjects=(exit none management trivial dokkaa)
  ((t % 2)) || subjects=(dokkaa trivial management none exit)
  for s in "${subjects[@]}"; do
    case "$s" in
      exit) a=$(wall pw import-exit -Command exit); add wall_exit "$a" ;;
      *)
        case "$s" in
          none) m="" ;;
          management) m=Microsoft.PowerShell.Management ;;
          trivial) m="$BENCH_WORK/Trivial/Trivial.psd1" ;;
          dokkaa) m="$MODULE" ;;
        esac
        margs=(); [ -z "$m" ] || margs=(-Module "$m")
        t0=$(now); in_ms=$(pw "import-$s" -File "$ps1/import.ps1" "${margs[@]}"); t1=$(now)
        add "imp_$s" "$in_ms"
        add "wall_$s" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) * 1000 }')"
        ;;
    esac
  done
  ((t > 0)) || continue
  echo "import trial $t: wall exit / script without import $(echo ${F[wall_exit]} | awk '{print $NF}') / $(echo ${F[wall_none]} | awk '{print $NF}') ms; Import-Module management / trivial / dokkaa $(echo ${F[imp_management]} | awk '{print $NF}') / $(echo ${F[imp_trivial]} | awk '{print $NF}') / $(echo ${F[imp_dokkaa]} | awk '{print $NF}') ms" >&2
done

# --- 2. First call over a few claims.
dokkaa_log "First call over $FEW claims, $TRIALS trials (and trial 0, not counted)"
pw setup -File "$ps1/seed.ps1" -Url "$BENCH_ETCD" -Prefix few -Manifests 1 -Scale "$FEW" -Hosts 2
[ "$("$CLI_BIN" ps --etcd "$BENCH_ETCD" -o json | jq length)" -eq "$FEW" ] || { echo "dokkaa ps does not list $FEW claims" >&2; exit 1; }
for t in $(seq 0 "$TRIALS"); do
  order=(module raw cli)
  ((t % 2)) || order=(cli raw module)
  for s in "${order[@]}"; do
    case "$s" in
      module)
        out=$(pw first-module -File "$ps1/first.ps1" -Module "$MODULE" -Url "$BENCH_ETCD" -Expect "$FEW")
        read -r a b c d <<<"$out"
        add first1 "$a"; add first2 "$b"; add raw_after1 "$c"; add raw_after2 "$d"
        echo "first-call trial $t: Get-DokkaaContainer $a then $b ms; Invoke-RestMethod after it $c then $d ms" >&2 ;;
      raw)
        out=$(pw first-raw -File "$ps1/first.ps1" -Url "$BENCH_ETCD" -Expect "$FEW" -NoModule)
        read -r a b <<<"$out"
        add raw_fresh1 "$a"; add raw_fresh2 "$b"
        echo "first-call trial $t: Invoke-RestMethod in a fresh pwsh $a then $b ms" >&2 ;;
      cli) a=$(wall "$CLI_BIN" ps --etcd "$BENCH_ETCD" -o json); add cli_few "$a"; echo "first-call trial $t: dokkaa ps -o json $a ms" >&2 ;;
    esac
  done
done

# --- 3. Many claims.
dokkaa_log "Writing $MANY claims ($MANIFESTS manifests x $SCALE, $HOSTS hosts)"
curl -fsS -X POST "$BENCH_ETCD/v3/kv/deleterange" -d "{\"key\":\"$(printf / | base64)\",\"range_end\":\"$(printf 0 | base64)\"}" >/dev/null
t0=$(now)
pw setup -File "$ps1/seed.ps1" -Url "$BENCH_ETCD" -Prefix app -Manifests "$MANIFESTS" -Scale "$SCALE" -Hosts "$HOSTS"
echo "wrote $MANY claims in $(elapsed "$t0" "$(now)") s" >&2
n=$("$CLI_BIN" ps --etcd "$BENCH_ETCD" -o json | jq length)
[ "$n" -eq "$MANY" ] || { echo "dokkaa ps lists $n claims, not $MANY" >&2; exit 1; }
n=$(pw setup -Command "Import-Module '$MODULE'; @(Get-DokkaaContainer -Cluster '$BENCH_ETCD').Count")
[ "$n" -eq "$MANY" ] || { echo "Get-DokkaaContainer lists $n claims, not $MANY" >&2; exit 1; }
echo "dokkaa ps and Get-DokkaaContainer both list $MANY containers" >&2

# The floor: the same two range requests as ClusterView.LoadAsync, by curl (etcd and its JSON gateway).
b64() { printf '%s' "$1" | base64 -w0; }
curl_ranges() {
  local rev
  rev=$(curl -fsS -X POST "$BENCH_ETCD/v3/kv/range" -d "{\"key\":\"$(b64 /apps/)\",\"range_end\":\"$(b64 /apps0)\"}" | jq -r .header.revision) || return 1
  curl -fsS -X POST "$BENCH_ETCD/v3/kv/range" \
    -d "{\"key\":\"$(b64 /dokkaa/)\",\"range_end\":\"$(b64 /dokkaa0)\",\"revision\":\"$rev\"}" -o "$BENCH_WORK/range.json"
}

dokkaa_log "Streaming $MANY instances, $TRIALS trials (and trial 0, not counted)"
for t in $(seq 0 "$TRIALS"); do
  order=(module cli bash curl)
  ((t % 2)) || order=(curl bash cli module)
  for s in "${order[@]}"; do
    case "$s" in
      module | cli)
        args=(-Module "$MODULE" -Cli "$CLI_BIN" -Url "$BENCH_ETCD" -Expect "$MANY" -TimeFile "$BENCH_WORK/time.txt")
        [ "$s" = cli ] && args+=(-UseCli)
        out=$(pw "stream-$s" -File "$ps1/stream.ps1" "${args[@]}")
        read -r first total hwm grow alloc cli_mib first2 total2 <<<"$out"
        add "${s}_first" "$first"; add "${s}_total" "$total"; add "${s}_hwm" "$hwm"; add "${s}_grow" "$grow"
        add "${s}_alloc" "$alloc"; add "${s}_cli_mib" "$cli_mib"; add "${s}_first2" "$first2"; add "${s}_total2" "$total2"
        echo "stream trial $t $s: first $first ms, all $total ms, pwsh peak $hwm MiB (+$grow), $alloc MB allocated, CLI $cli_mib MiB; warm: $first2 / $total2 ms" >&2 ;;
      bash)
        a=$(wall /usr/bin/time -f '%M' -o "$BENCH_WORK/time.txt" "$CLI_BIN" ps --etcd "$BENCH_ETCD" -o json)
        add bash_total "$a"; add bash_mib "$(awk '{ printf "%.1f", $1 / 1024 }' "$BENCH_WORK/time.txt")"
        echo "stream trial $t: dokkaa ps -o json >/dev/null from bash $a ms" >&2 ;;
      curl)
        a=$(wall curl_ranges); add curl_total "$a"
        echo "stream trial $t: the 2 range requests by curl $a ms ($(stat -c %s "$BENCH_WORK/range.json") bytes)" >&2 ;;
    esac
  done
done

goal() { awk -v v="$1" -v g="$2" 'BEGIN { print (v < g) ? "met" : "missed" }'; }
import_goal=$(goal "$(med imp_dokkaa)" 300)
first_goal=$(goal "$(med first1)" 100)
stream_goal=$(awk -v a="$(med module_total)" -v b="$(med cli_total)" -v c="$(med module_first)" -v d="$(med cli_first)" \
  'BEGIN { print (a <= b && c <= d) ? "met" : "missed" }')
bench_report powershell <<EOF
## PowerShell module: import, first call, ${MANY} instances (pwsh $(pw setup -Command '$PSVersionTable.PSVersion.ToString()'), median of ${TRIALS} fresh processes each after one not counted, alternating, same run)
$(bench_machine)

| Import-Module in a fresh \`pwsh -NoProfile -NonInteractive\` | in process (Stopwatch) | whole pwsh (wall) | wall minus \`pwsh -c exit\` | trials, in process (ms) |
|---|---|---|---|---|
| nothing: \`pwsh -Command exit\` | | $(med wall_exit) ms | 0 | wall: $(trials wall_exit) |
| nothing: the same \`-File\` script without Import-Module | $(med imp_none) ms | $(med wall_none) ms | $(($(med wall_none) - $(med wall_exit))) ms | $(trials imp_none) |
| Microsoft.PowerShell.Management (built in) | $(med imp_management) ms | $(med wall_management) ms | $(($(med wall_management) - $(med wall_exit))) ms | $(trials imp_management) |
| trivial script module (one function) | $(med imp_trivial) ms | $(med wall_trivial) ms | $(($(med wall_trivial) - $(med wall_exit))) ms | $(trials imp_trivial) |
| Dokkaa (built Dokkaa.psd1) | $(med imp_dokkaa) ms | $(med wall_dokkaa) ms | $(($(med wall_dokkaa) - $(med wall_exit))) ms | $(trials imp_dokkaa) |

ratio Import-Module Dokkaa / Management: $(ratio "$(med1 imp_dokkaa)" "$(med1 imp_management)")   / trivial script module: $(ratio "$(med1 imp_dokkaa)" "$(med1 imp_trivial)")   goal < 300 ms (in process): ${import_goal}
Dokkaa adds $(($(med wall_dokkaa) - $(med wall_none))) ms to the wall time of the same script without Import-Module (trivial module: $(($(med wall_trivial) - $(med wall_none))) ms, Management: $(($(med wall_management) - $(med wall_none))) ms).

| ${FEW} claims, local etcd | first call | second call | trials, first (ms) |
|---|---|---|---|
| \`Get-DokkaaContainer -Cluster\` after Import-Module | $(med1 first1) ms | $(med1 first2) ms | $(trials first1) |
| the same 2 range requests by Invoke-RestMethod, same pwsh, after Get-DokkaaContainer | $(med1 raw_after1) ms | $(med1 raw_after2) ms | $(trials raw_after1) |
| the same 2 range requests by Invoke-RestMethod, fresh pwsh, no module | $(med1 raw_fresh1) ms | $(med1 raw_fresh2) ms | $(trials raw_fresh1) |
| \`dokkaa ps -o json\` from bash (process start included) | $(med1 cli_few) ms | | $(trials cli_few) |

ratio first Get-DokkaaContainer / second: $(ratio "$(med1 first1)" "$(med1 first2)")   / raw round trip in the same pwsh (second): $(ratio "$(med1 first1)" "$(med1 raw_after2)")   / \`dokkaa ps\` process: $(ratio "$(med1 first1)" "$(med1 cli_few)")   goal < 100 ms: ${first_goal}

| ${MANY} instances (${MANIFESTS} manifests x ${SCALE}, ${HOSTS} hosts), fresh pwsh | first object | all counted | pwsh peak RSS | peak grew by | managed allocations | CLI peak RSS | warm 2nd call: first / all | trials, all (ms) |
|---|---|---|---|---|---|---|---|---|
| \`Get-DokkaaContainer \| ForEach-Object\` | $(med module_first) ms | $(med module_total) ms | $(med module_hwm) MiB | $(med module_grow) MiB | $(med module_alloc) MB | | $(med module_first2) / $(med module_total2) ms | $(trials module_total) |
| \`dokkaa ps -o json \| ConvertFrom-Json \| ForEach-Object\` | $(med cli_first) ms | $(med cli_total) ms | $(med cli_hwm) MiB | $(med cli_grow) MiB | $(med cli_alloc) MB | $(med cli_cli_mib) MiB | $(med cli_first2) / $(med cli_total2) ms | $(trials cli_total) |
| \`dokkaa ps -o json >/dev/null\` from bash | | $(med bash_total) ms | | | | $(med1 bash_mib) MiB | | $(trials bash_total) |
| the same 2 range requests by curl from bash (etcd and its JSON gateway, the floor) | | $(med curl_total) ms | | | | | | $(trials curl_total) |

ratio Get-DokkaaContainer / CLI in pwsh: first object $(ratio "$(med1 module_first)" "$(med1 cli_first)")   all $(ratio "$(med1 module_total)" "$(med1 cli_total)")   pwsh peak RSS growth $(ratio "$(med1 module_grow)" "$(med1 cli_grow)")   allocations $(ratio "$(med1 module_alloc)" "$(med1 cli_alloc)")   goal (no slower than the CLI): ${stream_goal}
first object / all: Get-DokkaaContainer $(ratio "$(med1 module_first)" "$(med1 module_total)")   CLI in pwsh $(ratio "$(med1 cli_first)" "$(med1 cli_total)")
(near 0 where each object is written as it is read; what follows the first object here is only the pipeline handing on objects already built)
(Get-DokkaaContainer writes its objects only once it has read the whole cluster and built the whole list:
ClusterOperations.GetContainersAsync returns a list. ConvertFrom-Json parses only once the CLI has written everything.
"Peak grew by" is pwsh's VmHWM after the first call minus before it; managed allocations: GC.GetTotalAllocatedBytes over it.)
EOF
