#!/usr/bin/env bash
# Issue 2's figures: time from `dokkaa apply` of a scale-10 manifest to 10 running containers, against
# 10 `docker run -d` in parallel from a shell (the floor: what dockerd itself can do), same image and
# command, alternating, median of TRIALS (default 5). Then the agent's idle CPU and memory with 20
# containers. Everything on loopback; cleans up after itself.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
TRIALS="${TRIALS:-5}"
SCALE=10
IMAGE=dokkaa/busybox:test

bench_prepare
bench_start_etcd
bench_start_agent

dokkaa_times=()
docker_times=()
for trial in $(seq 1 "$TRIALS"); do
  app="bench${trial}"
  # Dokkaa: one apply, the agent does the rest.
  start=$(now)
  echo "{\"image\":\"$IMAGE\",\"scale\":$SCALE,\"command\":[\"sleep\",\"3600\"]}" |
    "$CLI_BIN" --etcd "$BENCH_ETCD" apply -f - --app "$app" --name web >/dev/null
  wait_running "io.dokkaa.app=$app" "$SCALE"
  dokkaa_times+=("$(elapsed "$start" "$(now)")")
  "$CLI_BIN" --etcd "$BENCH_ETCD" rm --app "$app" --name web >/dev/null
  wait_none "io.dokkaa.app=$app"

  # The floor: docker run from a shell, all in parallel.
  start=$(now)
  runs=()
  for i in $(seq 1 "$SCALE"); do
    docker run -d --label io.dokkaa.bench=1 --label "io.dokkaa.bench.trial=$trial" --name "benchrun-${trial}-${i}" "$IMAGE" sleep 3600 >/dev/null &
    runs+=($!)
  done
  wait "${runs[@]}"
  wait_running "io.dokkaa.bench.trial=$trial" "$SCALE"
  docker_times+=("$(elapsed "$start" "$(now)")")
  docker ps -aq --filter "label=io.dokkaa.bench.trial=$trial" | xargs -r docker rm -f >/dev/null
  echo "trial $trial: dokkaa ${dokkaa_times[-1]}s, docker run ${docker_times[-1]}s" >&2
done

dokkaa_median=$(printf '%s\n' "${dokkaa_times[@]}" | median)
docker_median=$(printf '%s\n' "${docker_times[@]}" | median)

# Idle footprint with 20 containers: CPU seconds used over 30 s of quiet, and resident memory.
echo "{\"image\":\"$IMAGE\",\"scale\":20,\"command\":[\"sleep\",\"3600\"]}" |
  "$CLI_BIN" --etcd "$BENCH_ETCD" apply -f - --app idle --name web >/dev/null
wait_running "io.dokkaa.app=idle" 20
"$CLI_BIN" --etcd "$BENCH_ETCD" wait --app idle --name web --timeout 2m >/dev/null
sleep 5 # let the start-up burst settle before measuring idle (a measurement window, not synchronisation)
ticks=$(getconf CLK_TCK)
cpu() { awk '{ print $14 + $15 }' "/proc/$AGENT_PID/stat"; }
c0=$(cpu); t0=$(now)
sleep 30
c1=$(cpu); t1=$(now)
idle_cpu=$(awk -v c0="$c0" -v c1="$c1" -v t="$(elapsed "$t0" "$t1")" -v hz="$ticks" 'BEGIN { printf "%.2f", 100 * (c1 - c0) / hz / t }')
rss_mb=$(awk '/VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$AGENT_PID/status")
"$CLI_BIN" --etcd "$BENCH_ETCD" rm --app idle --name web >/dev/null
wait_none "io.dokkaa.app=idle"

echo
echo "## apply of a scale-$SCALE manifest until $SCALE running (median of $TRIALS, same run)"
echo "dokkaa apply -> $SCALE running:      ${dokkaa_median}s   (trials: ${dokkaa_times[*]})"
echo "$SCALE x docker run in parallel:       ${docker_median}s   (trials: ${docker_times[*]})"
echo "ratio dokkaa / docker run:          $(ratio "$dokkaa_median" "$docker_median")"
echo
echo "## agent idle with 20 containers (30 s window)"
echo "cpu: ${idle_cpu}% of one core   rss: ${rss_mb} MiB"
