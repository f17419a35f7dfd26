#!/usr/bin/env bash
# Shared helpers for the benchmarks: a private etcd and agent on loopback, timing, medians.
set -euo pipefail
BENCH_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$BENCH_ROOT/scripts/setup.sh"

BENCH_WORK="$(mktemp -d /tmp/dokkaa-bench.XXXXXX)"
BENCH_ETCD_PORT=$((23000 + RANDOM % 1000))
BENCH_ETCD="http://127.0.0.1:${BENCH_ETCD_PORT}"
AGENT_BIN="$BENCH_ROOT/src/Dokkaa.Agent/bin/Release/net10.0/dokkaa-agent"
CLI_BIN="$BENCH_ROOT/src/Dokkaa.Cli/bin/Release/net10.0/dokkaa"
BENCH_PIDS=()
BENCH_CLEANUPS=()
# bench/all sets these: where each script's final figures go, and that the solution is already built.
BENCH_RESULTS_DIR="${BENCH_RESULTS_DIR:-}"
BENCH_SKIP_BUILD="${BENCH_SKIP_BUILD:-0}"

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
median0() { median | awk '{ printf "%.0f\n", $1 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

# Registers a command to run at exit, before the processes are stopped (last registered runs first).
bench_on_exit() { BENCH_CLEANUPS+=("$1"); }

bench_cleanup() {
  local i
  for ((i = ${#BENCH_CLEANUPS[@]} - 1; i >= 0; i--)); do eval "${BENCH_CLEANUPS[$i]}" || true; done
  for pid in "${BENCH_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  docker ps -aq --filter label=io.dokkaa.bench=1 | xargs -r docker rm -f >/dev/null 2>&1 || true
  docker ps -aq --filter "label=io.dokkaa.host=bench" | xargs -r docker rm -f >/dev/null 2>&1 || true
  rm -rf "$BENCH_WORK"
}
trap bench_cleanup EXIT
trap "exit 130" INT TERM

bench_prepare() {
  dokkaa_install_packages
  dokkaa_start_dockerd
  [ "$BENCH_SKIP_BUILD" = 1 ] || dokkaa_build
  bash "$BENCH_ROOT/scripts/images/build-test-image.sh" >/dev/null
}

# One line about the machine and how busy it is (other sessions share it), for the results.
bench_machine() {
  local load
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  echo "$(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load average ${load}, Docker $(docker version --format '{{.Server.Version}}' 2>/dev/null || echo '?'), $(etcd --version 2>/dev/null | head -1)"
}

# Prints the final figures (stdin) and, under bench/all, keeps them for bench/results.md.
bench_report() {
  local name="$1" text
  text=$(cat)
  printf '\n%s\n' "$text"
  if [ -n "$BENCH_RESULTS_DIR" ]; then
    mkdir -p "$BENCH_RESULTS_DIR"
    printf '%s\n' "$text" >"$BENCH_RESULTS_DIR/$name.md"
  fi
}

# Nearest-rank percentile P (0-100) of the numbers on stdin.
percentile() {
  sort -n | awk -v p="$1" '{ v[NR] = $1 } END { if (NR == 0) exit; r = int((p / 100) * NR + 0.999999); if (r < 1) r = 1; if (r > NR) r = NR; print v[r] }'
}

bench_start_etcd() {
  etcd --name bench --data-dir "$BENCH_WORK/etcd" \
    --listen-client-urls "$BENCH_ETCD" --advertise-client-urls "$BENCH_ETCD" \
    --listen-peer-urls "http://127.0.0.1:$((BENCH_ETCD_PORT + 1))" --initial-advertise-peer-urls "http://127.0.0.1:$((BENCH_ETCD_PORT + 1))" \
    --initial-cluster "bench=http://127.0.0.1:$((BENCH_ETCD_PORT + 1))" >"$BENCH_WORK/etcd.log" 2>&1 &
  BENCH_PIDS+=($!)
  until curl -fsS "$BENCH_ETCD/health" >/dev/null 2>&1; do sleep 0.1; done
}

# Extra agent flags go in AGENT_ARGS. DNS and HTTP are off unless a script asks for them: their default
# ports (53, 80) may belong to other processes on a shared machine.
AGENT_ARGS=()
bench_start_agent() {
  local dns=(--dns-listen none) http=(--http-listen none) arg
  for arg in "${AGENT_ARGS[@]}"; do
    case "$arg" in --dns-listen) dns=() ;; --http-listen) http=() ;; esac
  done
  "$AGENT_BIN" --etcd "$BENCH_ETCD" --host-id bench --host-ip 127.0.0.1 --data-dir "$BENCH_WORK/agent" \
    --ambassador-ports 43000-43099 "${dns[@]}" "${http[@]}" "${AGENT_ARGS[@]}" >"$BENCH_WORK/agent.log" 2>&1 &
  AGENT_PID=$!
  BENCH_PIDS+=("$AGENT_PID")
  local deadline=$((SECONDS + 60))
  until "$CLI_BIN" --etcd "$BENCH_ETCD" hosts 2>/dev/null | grep -q bench; do
    if ((SECONDS > deadline)) || ! kill -0 "$AGENT_PID" 2>/dev/null; then
      echo "the agent did not register; last log lines:" >&2; tail -20 "$BENCH_WORK/agent.log" >&2; return 1
    fi
    sleep 0.1
  done
}

# CPU time (user + system, in clock ticks) a process has used so far.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
CLK_TCK=$(getconf CLK_TCK)
# Percent of one core between two cpu_ticks readings over SECONDS seconds.
cpu_percent() { awk -v a="$1" -v b="$2" -v t="$3" -v hz="$CLK_TCK" 'BEGIN { printf "%.2f", 100 * (b - a) / hz / t }'; }
rss_mib() { awk '/VmRSS/ { printf "%.1f\n", $2 / 1024 }' "/proc/$1/status"; }

# Polls (with a deadline) until exactly N running containers carry the label.
wait_running() {
  local label="$1" want="$2" deadline=$((SECONDS + 120))
  while [ "$(docker ps -q --filter "label=$label" --filter status=running | wc -l)" -ne "$want" ]; do
    if ((SECONDS > deadline)); then echo "timed out waiting for $want running with $label" >&2; return 1; fi
    sleep 0.05
  done
}

wait_none() {
  local label="$1" deadline=$((SECONDS + 120))
  while [ "$(docker ps -aq --filter "label=$label" | wc -l)" -ne 0 ]; do
    if ((SECONDS > deadline)); then echo "timed out waiting for containers with $label to go" >&2; return 1; fi
    sleep 0.05
  done
}
