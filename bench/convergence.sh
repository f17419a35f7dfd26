#!/usr/bin/env bash
# Convergence on one host: a manifest scaled 0 -> 20 until 20 containers run, against
# `docker service create --replicas 20` in Swarm mode on the machine's dockerd, against 20 `docker run -d`
# started in parallel from a shell (the floor: what dockerd itself can do). Then 20 -> 0 for each
# (`dokkaa scale 0`, `docker service scale 0`, 20 parallel `docker stop`) until none runs.
# Same image and command (dokkaa/busybox:test, sleep 3600), alternating order, median of TRIALS (default 5).
#
# Swarm: `docker swarm init --advertise-addr 127.0.0.1` (listening on loopback too) only if this dockerd is not in a swarm already,
# and `docker swarm leave --force` at exit even on failure, removing the networks the swarm created
# (other sessions use this dockerd: it is left as it was found). Everything stays on loopback.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
TRIALS="${TRIALS:-5}"
SCALE=20
IMAGE=dokkaa/busybox:test
APP=conv

bench_prepare
bench_start_etcd
bench_start_agent

# --- Swarm: join only a dockerd that is in no swarm; undo exactly what we did.
SWARM=0
swarm_state=$(docker info --format '{{.Swarm.LocalNodeState}}')
networks_before=$(docker network ls -q --no-trunc | sort)
swarm_cleanup() {
  [ "$SWARM" = 1 ] || return 0
  # If dockerd is restarting (someone else's doing on a shared machine), the swarm survives the restart:
  # wait for it to answer rather than leave the swarm behind.
  local wait_until=$((SECONDS + 120))
  until docker info >/dev/null 2>&1 || ((SECONDS > wait_until)); do sleep 1; done
  docker service ls -q --filter label=io.dokkaa.bench=1 | xargs -r docker service rm >/dev/null 2>&1 || true
  docker swarm leave --force >/dev/null 2>&1 || true
  # Networks the swarm made (docker_gwbridge, ingress) go once nothing uses them.
  local deadline=$((SECONDS + 30)) net
  for net in $(comm -13 <(echo "$networks_before") <(docker network ls -q --no-trunc | sort)); do
    until docker network rm "$net" >/dev/null 2>&1 || ((SECONDS > deadline)); do sleep 0.5; done
  done
  SWARM=0
}
bench_on_exit swarm_cleanup
if [ "$swarm_state" = inactive ]; then
  docker swarm init --advertise-addr 127.0.0.1 --listen-addr 127.0.0.1:2377 >/dev/null
  SWARM=1
else
  echo "dockerd is in swarm state '$swarm_state' (not ours): the Swarm column is skipped" >&2
fi

running() { docker ps -q --filter "label=$1" --filter status=running | wc -l; }
# Polls until exactly N containers with the label run (wait_running in lib.sh counts the same way).
until_running() {
  local label="$1" want="$2" deadline=$((SECONDS + 180))
  while [ "$(running "$label")" -ne "$want" ]; do
    if ((SECONDS > deadline)); then echo "timed out waiting for $want running with $label" >&2; return 1; fi
    sleep 0.05
  done
}

dokkaa() { "$CLI_BIN" --etcd "$BENCH_ETCD" "$@"; }
echo "{\"image\":\"$IMAGE\",\"scale\":0,\"command\":[\"sleep\",\"3600\"]}" | dokkaa apply -f - --app "$APP" --name web >/dev/null

declare -A up down
run_dokkaa() {
  local t0
  t0=$(now)
  dokkaa scale --app "$APP" --name web "$SCALE" >/dev/null
  until_running "io.dokkaa.app=$APP" "$SCALE"
  up[dokkaa]+=" $(elapsed "$t0" "$(now)")"
  t0=$(now)
  dokkaa scale --app "$APP" --name web 0 >/dev/null
  until_running "io.dokkaa.app=$APP" 0
  down[dokkaa]+=" $(elapsed "$t0" "$(now)")"
  wait_none "io.dokkaa.app=$APP"
}

run_swarm() {
  [ "$SWARM" = 1 ] || return 0
  local trial="$1" t0 label="io.dokkaa.bench.run=swarm$1"
  t0=$(now)
  docker service create --detach --quiet --no-resolve-image --name "benchsw$trial" --replicas "$SCALE" \
    --label io.dokkaa.bench=1 --container-label io.dokkaa.bench=1 --container-label "$label" \
    "$IMAGE" sleep 3600 >/dev/null
  until_running "$label" "$SCALE"
  up[swarm]+=" $(elapsed "$t0" "$(now)")"
  t0=$(now)
  docker service scale --detach "benchsw$trial=0" >/dev/null 2>&1
  until_running "$label" 0
  down[swarm]+=" $(elapsed "$t0" "$(now)")"
  docker service rm "benchsw$trial" >/dev/null
  wait_none "$label"
}

run_docker() {
  local trial="$1" t0 label="io.dokkaa.bench.run=run$1" pids=() i
  t0=$(now)
  for i in $(seq 1 "$SCALE"); do
    docker run -d --label io.dokkaa.bench=1 --label "$label" --name "benchrun-$trial-$i" "$IMAGE" sleep 3600 >/dev/null &
    pids+=($!)
  done
  wait "${pids[@]}"
  until_running "$label" "$SCALE"
  up[docker]+=" $(elapsed "$t0" "$(now)")"
  t0=$(now)
  pids=()
  for i in $(seq 1 "$SCALE"); do docker stop "benchrun-$trial-$i" >/dev/null & pids+=($!); done
  wait "${pids[@]}"
  until_running "$label" 0
  down[docker]+=" $(elapsed "$t0" "$(now)")"
  docker ps -aq --filter "label=$label" | xargs -r docker rm -f >/dev/null
}

# The last figure of a space-separated list ("-" when the column is skipped).
latest() { local all="$1"; [ -n "$all" ] && echo "${all##* }" || echo -; }

order=(dokkaa swarm docker)
for trial in $(seq 1 "$TRIALS"); do
  # Alternate who goes first: each trial rotates the order by one.
  for k in 0 1 2; do
    case "${order[$(((k + trial - 1) % 3))]}" in
      dokkaa) run_dokkaa "$trial" ;;
      swarm) run_swarm "$trial" ;;
      docker) run_docker "$trial" ;;
    esac
  done
  echo "trial $trial: up dokkaa $(latest "${up[dokkaa]:-}") s, swarm $(latest "${up[swarm]:-}") s, docker run $(latest "${up[docker]:-}") s;" \
    "down dokkaa $(latest "${down[dokkaa]:-}") s, swarm $(latest "${down[swarm]:-}") s, docker stop $(latest "${down[docker]:-}") s (load $(cut -d' ' -f1 /proc/loadavg))" >&2
done
swarm_cleanup

med() { printf '%s\n' $1 | median; }
dokkaa_up=$(med "${up[dokkaa]}"); docker_up=$(med "${up[docker]}")
dokkaa_down=$(med "${down[dokkaa]}"); docker_down=$(med "${down[docker]}")
if [ -n "${up[swarm]:-}" ]; then swarm_up=$(med "${up[swarm]}"); swarm_down=$(med "${down[swarm]}"); fi

bench_report convergence <<EOF
## Convergence on one host: 0 -> $SCALE -> 0 containers (median of $TRIALS, alternating, same run)
$(bench_machine)

| | 0 -> $SCALE running | $SCALE -> 0 running | trials up (s) | trials down (s) |
|---|---|---|---|---|
| \`dokkaa scale\` (agent) | ${dokkaa_up} s | ${dokkaa_down} s | ${up[dokkaa]# } | ${down[dokkaa]# } |
| Swarm \`service create --replicas $SCALE\` / \`service scale 0\` | ${swarm_up:--} s | ${swarm_down:--} s | ${up[swarm]:- -} | ${down[swarm]:- -} |
| $SCALE x \`docker run -d\` / \`docker stop\` in parallel | ${docker_up} s | ${docker_down} s | ${up[docker]# } | ${down[docker]# } |

ratio up   dokkaa / swarm: $([ -n "${swarm_up:-}" ] && ratio "$dokkaa_up" "$swarm_up" || echo -)   dokkaa / docker run: $(ratio "$dokkaa_up" "$docker_up")
ratio down dokkaa / swarm: $([ -n "${swarm_down:-}" ] && ratio "$dokkaa_down" "$swarm_down" || echo -)   dokkaa / docker stop: $(ratio "$dokkaa_down" "$docker_down")
(\`sleep\` as PID 1 ignores SIGTERM, so every stop waits out its 10 s grace period before the kill.)
EOF
