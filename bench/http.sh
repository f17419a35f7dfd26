#!/usr/bin/env bash
# HTTP: wrk through the agent's nginx (--http-listen on a loopback port, a manifest with an http host and
# two busybox httpd instances) against wrk straight to one instance's published port, alternating, same
# run. Then wrk through nginx for the whole time the manifest is changed 50 times (scale 2 <-> 3, each
# change a new upstream list and an nginx reload): wrk's error counts. Loopback only.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ROUNDS="${ROUNDS:-2}"
DURATION="${DURATION:-10}"
CHANGES="${CHANGES:-50}"
CONNECTIONS="${CONNECTIONS:-16}"
HTTP_PORT=$((BENCH_ETCD_PORT + 600))
HOST=bench.local

bench_prepare
# nginx workers run as nobody: the state directory's parents must be traversable (mktemp made it 0700).
chmod 755 "$BENCH_WORK"
bench_start_etcd
AGENT_ARGS=(--http-listen "127.0.0.1:$HTTP_PORT")
bench_start_agent
dokkaa() { "$CLI_BIN" --etcd "$BENCH_ETCD" "$@"; }

manifest() { echo "{\"image\":\"dokkaa/busybox:test\",\"scale\":$1,\"services\":{\"http\":80},\"http\":{\"host\":\"$HOST\",\"port\":80}}"; }
manifest 2 | dokkaa apply -f - --app web --name site >/dev/null
wait_running io.dokkaa.app=web 2
deadline=$((SECONDS + 60))
until [ "$(curl -fsS -H "Host: $HOST" "http://127.0.0.1:$HTTP_PORT/" 2>/dev/null)" = ok ]; do
  ((SECONDS < deadline)) || { echo "nginx does not route $HOST; agent log:" >&2; tail -20 "$BENCH_WORK/agent.log" >&2; exit 1; }
  sleep 0.2
done
direct=$(docker port web---site 80/tcp | awk -F: 'NR == 1 { print $NF }')
[ "$(curl -fsS "http://127.0.0.1:$direct/")" = ok ]

# wrk -> "requests/s p50_ms p99_ms errors"
run_wrk() {
  wrk -t2 -c"$CONNECTIONS" -d"$2"s --latency "${@:3}" "$1" >"$BENCH_WORK/wrk.txt" 2>&1
  awk '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /Requests\/sec/ { rps = $2 }
    /^ +50%/ { p50 = ms($2) } /^ +99%/ { p99 = ms($2) }
    /Socket errors/ { gsub(",", ""); errors += $4 + $6 + $8 + $10 }
    /Non-2xx/ { errors += $5 }
    END { printf "%.0f %.3f %.3f %d\n", rps, p50, p99, errors }' "$BENCH_WORK/wrk.txt"
}

declare -A rps p50 p99
for round in $(seq 1 "$ROUNDS"); do
  for target in nginx direct; do
    if [ "$target" = nginx ]; then
      read -r r l50 l99 errors < <(run_wrk "http://127.0.0.1:$HTTP_PORT/" "$DURATION" -H "Host: $HOST")
    else
      read -r r l50 l99 errors < <(run_wrk "http://127.0.0.1:$direct/" "$DURATION")
    fi
    rps[$target]+=" $r"; p50[$target]+=" $l50"; p99[$target]+=" $l99"
    echo "round $round $target: $r req/s, p50 $l50 ms, p99 $l99 ms, $errors errors (load $(cut -d' ' -f1 /proc/loadavg))" >&2
  done
done

# Reloads under load.
reloads_before=$(grep -c "nginx reloaded" "$BENCH_WORK/agent.log" || true)
wrk_seconds=$((CHANGES + 15))
wrk -t2 -c"$CONNECTIONS" -d"${wrk_seconds}"s --latency -H "Host: $HOST" "http://127.0.0.1:$HTTP_PORT/" >"$BENCH_WORK/wrk-reload.txt" 2>&1 &
wrk_pid=$!
sleep 3
for change in $(seq 1 "$CHANGES"); do
  manifest $((2 + change % 2)) | dokkaa apply -f - --app web --name site >/dev/null
  sleep 0.8 # one change per 0.8 s: the agent debounces 200 ms, so each change is its own reload
done
wait "$wrk_pid"
reloads=$(($(grep -c "nginx reloaded" "$BENCH_WORK/agent.log" || true) - reloads_before))
reload_rps=$(awk '/Requests\/sec/ { printf "%.0f", $2 }' "$BENCH_WORK/wrk-reload.txt")
reload_total=$(awk '/requests in/ { print $1 }' "$BENCH_WORK/wrk-reload.txt")
socket_errors=$(grep "Socket errors" "$BENCH_WORK/wrk-reload.txt" | sed 's/^ *//' || true)
non2xx=$(awk '/Non-2xx/ { print $5 }' "$BENCH_WORK/wrk-reload.txt")

med() { printf '%s\n' $1 | median; }
med0() { printf '%s\n' $1 | median0; }
bench_report http <<EOF
## HTTP: wrk through the Dokkaa nginx versus straight to one instance (busybox httpd), loopback, same run
$(bench_machine)

| wrk -t2 -c$CONNECTIONS, ${DURATION} s | requests/s | p50 | p99 | rounds (req/s) |
|---|---|---|---|---|
| through the agent's nginx (front + router, 2 instances) | $(med0 "${rps[nginx]}") | $(med "${p50[nginx]}") ms | $(med "${p99[nginx]}") ms | ${rps[nginx]# } |
| straight to instance 1's published port | $(med0 "${rps[direct]}") | $(med "${p50[direct]}") ms | $(med "${p99[direct]}") ms | ${rps[direct]# } |

ratio requests/s nginx / direct: $(ratio "$(med "${rps[nginx]}")" "$(med "${rps[direct]}")")   p99 nginx / direct: $(ratio "$(med "${p99[nginx]}")" "$(med "${p99[direct]}")")

During $CHANGES manifest changes (scale 2 <-> 3, one per 0.8 s) under wrk (${wrk_seconds} s, $CONNECTIONS connections): $reloads nginx reloads,
${reload_total} requests (${reload_rps}/s); ${socket_errors:-Socket errors: none}; non-2xx responses: ${non2xx:-0}.
EOF
