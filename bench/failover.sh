#!/usr/bin/env bash
# Failover on a local 3-host cluster (`dokkaa dev up --hosts 3`, network namespaces, a dockerd per host, a
# 3-member etcd): kill -9 the host that runs the most instances (`dokkaa dev kill`: agent, dockerd, shims
# and containers), and time until every instance runs on the other hosts (each claim Running on a live
# host, read from etcd every 50 ms). TRIALS (default 10) per lease TTL, 2 s and the default 10 s; the
# killed host is restarted between trials. Beside it: the peers' published defaults for the same thing.
# Traffic stays on the cluster's own bridge and namespaces. Needs root.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
TRIALS="${TRIALS:-10}"
TTLS="${TTLS:-2s 10s}"
SCALE=6
NAME=bfo
# Away from the defaults (10.213.0.0/24, 10.214.0.0/16) that developers' and tests' clusters use.
SUBNET=10.213.206.0/24
CONTAINER_SUBNET=10.226.0.0/16
STATE="$BENCH_WORK/dev.json"

bench_prepare
dev() { "$CLI_BIN" dev "$@" --state "$STATE"; }
dev_down() { [ -f "$STATE" ] && "$CLI_BIN" dev down --state "$STATE" >/dev/null 2>&1 || "$CLI_BIN" dev down --force --name "$NAME" >/dev/null 2>&1 || true; }
bench_on_exit dev_down

claims() { ETCDCTL_API=3 etcdctl --endpoints "$ENDPOINTS" get --prefix /dokkaa/instances/fo/web/ --print-value-only 2>/dev/null; }
# The host running the most instances now.
busiest() { claims | grep -o '"host":"h[0-9]*"' | sort | uniq -c | sort -rn | awk 'NR == 1 { split($2, a, "\""); print a[4] }'; }
# True when all SCALE instances are Running on hosts other than $1.
elsewhere() {
  local values
  values=$(claims)
  [ "$(grep -c '"state":"Running"' <<<"$values")" -eq "$SCALE" ] && ! grep -q "\"host\":\"$1\"" <<<"$values"
}
live_hosts() { ETCDCTL_API=3 etcdctl --endpoints "$ENDPOINTS" get --prefix /dokkaa/hosts/ --keys-only 2>/dev/null | grep -c '^/dokkaa/hosts/' || true; }

declare -A results
for ttl in $TTLS; do
  dev_down
  echo "dokkaa dev up --hosts 3 --lease-ttl $ttl" >&2
  "$CLI_BIN" dev up --hosts 3 --lease-ttl "$ttl" --name "$NAME" --subnet "$SUBNET" --container-subnet "$CONTAINER_SUBNET" --state "$STATE" --force >/dev/null
  eval "$(dev env)"
  ENDPOINTS="$DOKKAA_ETCD"
  dev load dokkaa/busybox:test >/dev/null
  echo "{\"image\":\"dokkaa/busybox:test\",\"scale\":$SCALE,\"command\":[\"sleep\",\"3600\"]}" |
    "$CLI_BIN" --etcd "$DOKKAA_ETCD" apply -f - --app fo --name web >/dev/null
  deadline=$((SECONDS + 120))
  until [ "$(claims | grep -c '"state":"Running"')" -eq "$SCALE" ]; do
    ((SECONDS < deadline)) || { echo "the $SCALE instances did not start" >&2; exit 1; }
    sleep 0.2
  done

  times=()
  for trial in $(seq 1 "$TRIALS"); do
    victim=$(busiest)
    t0=$(now)
    dev kill "$victim" >/dev/null
    deadline=$((SECONDS + 120))
    until elsewhere "$victim"; do
      ((SECONDS < deadline)) || { echo "instances of $victim were not re-placed within 120 s" >&2; exit 1; }
      sleep 0.05
    done
    times+=("$(elapsed "$t0" "$(now)")")
    echo "ttl $ttl trial $trial: killed $victim, everything running elsewhere after ${times[-1]} s (load $(cut -d' ' -f1 /proc/loadavg))" >&2
    dev restart "$victim" >/dev/null
    deadline=$((SECONDS + 60))
    until [ "$(live_hosts)" -eq 3 ]; do
      ((SECONDS < deadline)) || { echo "$victim did not come back" >&2; exit 1; }
      sleep 0.2
    done
    sleep 2 # let the restarted agent clear what the power cut left (a settling pause, not synchronisation)
  done
  results[$ttl]="${times[*]}"
done
dev_down

row() {
  local ttl="$1" values="${results[$1]}"
  printf '| Dokkaa, `--lease-ttl %s` (measured) | %s s | %s s | %s |\n' "$ttl" \
    "$(printf '%s\n' $values | percentile 50)" "$(printf '%s\n' $values | percentile 99)" "$values"
}
p50_10=$(printf '%s\n' ${results[10s]:-0} | percentile 50)
p50_2=$(printf '%s\n' ${results[2s]:-0} | percentile 50)

bench_report failover <<EOF
## Failover: kill -9 a host of 3, until its instances run elsewhere ($TRIALS trials per TTL, same run)
$(bench_machine)

| | p50 | p99 | trials (s) |
|---|---|---|---|
$(for ttl in $TTLS; do row "$ttl"; done)
| Swarm default: node down after 3 missed heartbeats of 5 s | 15 s + reschedule | | [\`--dispatcher-heartbeat\` 5s](https://docs.docker.com/engine/reference/commandline/swarm_init/), [\`defaultGracePeriodMultiplier = 3\`](https://github.com/moby/swarmkit/blob/master/manager/dispatcher/dispatcher.go) |
| Nomad default: heartbeat TTL 10 s + 10 s grace | 20 s + reschedule | | [\`min_heartbeat_ttl\` 10s, \`heartbeat_grace\` 10s](https://developer.hashicorp.com/nomad/docs/configuration/server) |
| Kubernetes default: node-monitor-grace-period 40 s (50 s since 1.32) + 300 s not-ready/unreachable toleration | 340-350 s + reschedule | | [kube-controller-manager](https://kubernetes.io/docs/reference/command-line-tools-reference/kube-controller-manager/), [kubernetes#126287](https://github.com/kubernetes/kubernetes/pull/126287), [taint-based evictions](https://kubernetes.io/docs/concepts/scheduling-eviction/taint-and-toleration/#taint-based-evictions) |

p99 is the nearest rank of $TRIALS trials (the slowest). The peers' figures are their published defaults before a
dead node's work is even rescheduled, not measurements here.
ratio Dokkaa p50 (default 10 s TTL) / Swarm 15 s: $(ratio "$p50_10" 15)   / Nomad 20 s: $(ratio "$p50_10" 20)   / Kubernetes 340 s: $(ratio "$p50_10" 340)
ratio Dokkaa p50 (2 s TTL) / Swarm 15 s: $(ratio "$p50_2" 15)   / Nomad 20 s: $(ratio "$p50_2" 20)   / Kubernetes 340 s: $(ratio "$p50_2" 340)
EOF
