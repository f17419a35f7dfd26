#!/usr/bin/env bash
# Footprint of the agent with 100 containers: CPU (share of one core) and resident memory over IDLE
# seconds of quiet, then over CHURN seconds of scaling the manifest 100 -> 80 -> 100 again and again.
# The peer in the same windows is dockerd itself, which does the container work (this machine's dockerd
# is shared with other sessions, so its figures include their work too). Loopback only.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
IDLE="${IDLE:-30}"
CHURN="${CHURN:-60}"
SCALE=100
LOW=80

bench_prepare
bench_start_etcd
bench_start_agent
dokkaa() { "$CLI_BIN" --etcd "$BENCH_ETCD" "$@"; }
dockerd_pid=$(pidof dockerd | awk '{ print $1 }')

# The test image's default command (busybox httpd under a shell that ends on SIGTERM), so a stop is quick.
manifest() { echo "{\"image\":\"dokkaa/busybox:test\",\"scale\":$1}"; }
manifest "$SCALE" | dokkaa apply -f - --app fp --name web >/dev/null
wait_running io.dokkaa.app=fp "$SCALE"
dokkaa wait --app fp --name web --timeout 5m >/dev/null
sleep 5 # let the start-up burst settle before measuring idle (a measurement window, not synchronisation)

a0=$(cpu_ticks "$AGENT_PID"); d0=$(cpu_ticks "$dockerd_pid"); t0=$(now)
sleep "$IDLE"
a1=$(cpu_ticks "$AGENT_PID"); d1=$(cpu_ticks "$dockerd_pid"); t1=$(now)
idle_agent=$(cpu_percent "$a0" "$a1" "$(elapsed "$t0" "$t1")")
idle_dockerd=$(cpu_percent "$d0" "$d1" "$(elapsed "$t0" "$t1")")
idle_rss=$(rss_mib "$AGENT_PID")

peak_file="$BENCH_WORK/rss"
(while kill -0 "$AGENT_PID" 2>/dev/null; do rss_mib "$AGENT_PID"; sleep 0.5; done) >"$peak_file" &
sampler=$!
a0=$(cpu_ticks "$AGENT_PID"); d0=$(cpu_ticks "$dockerd_pid"); t0=$(now)
cycles=0
while (($(awk -v a="$t0" -v b="$(now)" 'BEGIN { print int(b - a) }') < CHURN)); do
  dokkaa scale --app fp --name web "$LOW" >/dev/null
  wait_running io.dokkaa.app=fp "$LOW"
  dokkaa scale --app fp --name web "$SCALE" >/dev/null
  wait_running io.dokkaa.app=fp "$SCALE"
  cycles=$((cycles + 1))
done
a1=$(cpu_ticks "$AGENT_PID"); d1=$(cpu_ticks "$dockerd_pid"); t1=$(now)
kill "$sampler" 2>/dev/null || true
churn_seconds=$(elapsed "$t0" "$t1")
churn_agent=$(cpu_percent "$a0" "$a1" "$churn_seconds")
churn_dockerd=$(cpu_percent "$d0" "$d1" "$churn_seconds")
churn_rss=$(sort -n "$peak_file" | tail -1)
per_minute=$(awk -v c="$cycles" -v t="$churn_seconds" -v n=$((SCALE - LOW)) 'BEGIN { printf "%.0f", c * 2 * n * 60 / t }')

manifest 0 | dokkaa apply -f - --app fp --name web >/dev/null
wait_none io.dokkaa.app=fp

bench_report footprint <<EOF
## Agent footprint with $SCALE containers (same run; dockerd in the same windows for comparison)
$(bench_machine)

| | agent CPU (% of one core) | agent RSS | dockerd CPU (% of one core) |
|---|---|---|---|
| idle, ${IDLE} s | ${idle_agent} % | ${idle_rss} MiB | ${idle_dockerd} % |
| churn, ${churn_seconds} s: $cycles x ($SCALE -> $LOW -> $SCALE), ${per_minute} container starts+stops per minute | ${churn_agent} % | ${churn_rss} MiB peak | ${churn_dockerd} % |

ratio agent CPU / dockerd CPU: idle $(ratio "$idle_agent" "$(awk -v d="$idle_dockerd" 'BEGIN { print (d > 0 ? d : 0.01) }')"), churn $(ratio "$churn_agent" "$churn_dockerd")
(dockerd is this machine's shared daemon: its figures include other sessions' containers.)
EOF
