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

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

bench_cleanup() {
  for pid in "${BENCH_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  docker ps -aq --filter label=io.dokkaa.bench=1 | xargs -r docker rm -f >/dev/null 2>&1 || true
  docker ps -aq --filter "label=io.dokkaa.host=bench" | xargs -r docker rm -f >/dev/null 2>&1 || true
  rm -rf "$BENCH_WORK"
}
trap bench_cleanup EXIT

bench_prepare() {
  dokkaa_install_packages
  dokkaa_start_dockerd
  dokkaa_build
  bash "$BENCH_ROOT/scripts/images/build-test-image.sh" >/dev/null
}

bench_start_etcd() {
  etcd --name bench --data-dir "$BENCH_WORK/etcd" \
    --listen-client-urls "$BENCH_ETCD" --advertise-client-urls "$BENCH_ETCD" \
    --listen-peer-urls "http://127.0.0.1:$((BENCH_ETCD_PORT + 1))" --initial-advertise-peer-urls "http://127.0.0.1:$((BENCH_ETCD_PORT + 1))" \
    --initial-cluster "bench=http://127.0.0.1:$((BENCH_ETCD_PORT + 1))" >"$BENCH_WORK/etcd.log" 2>&1 &
  BENCH_PIDS+=($!)
  until curl -fsS "$BENCH_ETCD/health" >/dev/null 2>&1; do sleep 0.1; done
}

bench_start_agent() {
  "$AGENT_BIN" --etcd "$BENCH_ETCD" --host-id bench --host-ip 127.0.0.1 --data-dir "$BENCH_WORK/agent" \
    --ambassador-ports 43000-43099 >"$BENCH_WORK/agent.log" 2>&1 &
  AGENT_PID=$!
  BENCH_PIDS+=("$AGENT_PID")
  until "$CLI_BIN" --etcd "$BENCH_ETCD" hosts | grep -q bench; do sleep 0.1; done
}

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
