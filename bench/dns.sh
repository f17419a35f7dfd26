#!/usr/bin/env bash
# DNS: dnsperf against the Dokkaa name server (`dokkaa-agent dns`, standalone, over a private etcd holding
# MANIFESTS manifests of SCALE running instances each, written straight into etcd) and against dnsmasq
# serving the same records (--host-record, --srv-host), and ARSoft.Tools.Net's DnsServer serving them from
# memory (bench/ArsoftDns: the library the design card named, whose parser the DNS tests use as their
# independent check), all on loopback ports, alternating, same run. ARSoft's bytes allocated per query are
# counted by the peer itself (GC.GetTotalAllocatedBytes); the Dokkaa answer path allocates none (AllocationTests).
# Per server: the most queries per second dnsperf gets in DURATION s (closed loop, 100 outstanding), and
# the latency distribution (p50/p99 from dnsperf -v) at a fixed RATE queries per second.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
MANIFESTS="${MANIFESTS:-20}"
SCALE="${SCALE:-5}"
ROUNDS="${ROUNDS:-2}"
DURATION="${DURATION:-10}"
RATE="${RATE:-5000}"
DOKKAA_PORT=$((BENCH_ETCD_PORT + 500))
DNSMASQ_PORT=$((BENCH_ETCD_PORT + 501))
ARSOFT_PORT=$((BENCH_ETCD_PORT + 502))

bench_prepare
bench_start_etcd

# The records: instance i of web in app appM runs on 10.0.0.<i> with 80/tcp published on 32000+i.
# These addresses are only answered, never contacted.
put() {
  curl -fsS -X POST "$BENCH_ETCD/v3/kv/put" \
    -d "{\"key\":\"$(printf '%s' "$1" | base64 -w0)\",\"value\":\"$(printf '%s' "$2" | base64 -w0)\"}" >/dev/null
}
queries="$BENCH_WORK/queries.txt"
dnsmasq_args=()
for m in $(seq 1 "$MANIFESTS"); do
  app="app$m"
  put "/apps/$app/web/manifest" "{\"image\":\"dokkaa/busybox:test\",\"scale\":$SCALE,\"services\":{\"http\":80}}"
  for i in $(seq 1 "$SCALE"); do
    put "/dokkaa/instances/$app/web/$i" \
      "{\"host\":\"h$i\",\"address\":\"10.0.0.$i\",\"manifestHash\":\"bench\",\"state\":\"Running\",\"ports\":{\"80/tcp\":$((32000 + i))}}"
    dnsmasq_args+=("--host-record=$i.web.$app.container,10.0.0.$i" "--host-record=web.$app.container,10.0.0.$i"
      "--srv-host=_http._tcp.$app.container,$i.web.$app.container,$((32000 + i)),0,0")
    echo "$i.web.$app.container A" >>"$queries"
  done
  echo "web.$app.container A" >>"$queries"
  echo "_http._tcp.$app.container SRV" >>"$queries"
done

"$AGENT_BIN" dns --etcd "$BENCH_ETCD" --dns-listen "127.0.0.1:$DOKKAA_PORT" >"$BENCH_WORK/dokkaa-dns.log" 2>&1 &
BENCH_PIDS+=($!)
dnsmasq --no-daemon --conf-file=/dev/null --port "$DNSMASQ_PORT" --listen-address 127.0.0.1 --bind-interfaces \
  --no-resolv --no-hosts --pid-file= --local-ttl=5 "${dnsmasq_args[@]}" >"$BENCH_WORK/dnsmasq.log" 2>&1 &
BENCH_PIDS+=($!)
dotnet build "$BENCH_ROOT/bench/ArsoftDns" -c Release -nologo -v q -o "$BENCH_WORK/arsoft" >"$BENCH_WORK/arsoft-build.log" 2>&1 ||
  { cat "$BENCH_WORK/arsoft-build.log" >&2; exit 1; }
"$BENCH_WORK/arsoft/ArsoftDns" "127.0.0.1:$ARSOFT_PORT" "$MANIFESTS" "$SCALE" >"$BENCH_WORK/arsoft.log" 2>&1 &
ARSOFT_PID=$!
BENCH_PIDS+=($ARSOFT_PID)

# All must give the same answers before anything is timed.
for port in "$DOKKAA_PORT" "$DNSMASQ_PORT" "$ARSOFT_PORT"; do
  deadline=$((SECONDS + 30))
  until [ "$(dig +short +time=1 +tries=1 @127.0.0.1 -p "$port" 3.web.app1.container A)" = 10.0.0.3 ]; do
    ((SECONDS < deadline)) || { echo "no answer on port $port" >&2; exit 1; }
    sleep 0.2
  done
  [ "$(dig +short @127.0.0.1 -p "$port" _http._tcp.app1.container SRV | wc -l)" -eq "$SCALE" ] ||
    { echo "port $port does not answer $SCALE SRV records" >&2; exit 1; }
done

declare -A qps p50 p99 avg
throughput() { # port -> queries per second and average latency (ms)
  dnsperf -s 127.0.0.1 -p "$1" -d "$queries" -l "$DURATION" -c 4 -q 100 2>&1 |
    awk '/Queries per second/ { q = $4 } /Average Latency/ { a = $4 * 1000 } /Queries lost/ { l = $3 } END { printf "%.0f %.3f %s\n", q, a, l }'
}
latencies() { # port -> p50 and p99 latency (ms) at RATE queries per second
  dnsperf -s 127.0.0.1 -p "$1" -d "$queries" -l 5 -Q "$RATE" -v 2>/dev/null | awk '/^> / { print $NF * 1000 }' >"$BENCH_WORK/lat.txt"
  echo "$(percentile 50 <"$BENCH_WORK/lat.txt") $(percentile 99 <"$BENCH_WORK/lat.txt")"
}
for round in $(seq 1 "$ROUNDS"); do
  for server in dokkaa dnsmasq arsoft; do
    case $server in dokkaa) port=$DOKKAA_PORT ;; dnsmasq) port=$DNSMASQ_PORT ;; arsoft) port=$ARSOFT_PORT ;; esac
    read -r q a lost < <(throughput "$port")
    read -r l50 l99 < <(latencies "$port")
    qps[$server]+=" $q"; avg[$server]+=" $a"; p50[$server]+=" $l50"; p99[$server]+=" $l99"
    echo "round $round $server: $q q/s (lost $lost), avg $a ms under full load; p50 $l50 ms, p99 $l99 ms at $RATE q/s (load $(cut -d' ' -f1 /proc/loadavg))" >&2
  done
done

# ARSoft's peer reports what it allocated once it is stopped.
kill -TERM "$ARSOFT_PID"
wait "$ARSOFT_PID" || true
arsoft_alloc=$(awk '/bytes per query/ { print $(NF - 3) }' "$BENCH_WORK/arsoft.log")
echo "ARSoft: $(tail -1 "$BENCH_WORK/arsoft.log")" >&2

med() { printf '%s\n' $1 | median; }
med0() { printf '%s\n' $1 | median0; }
bench_report dns <<EOF
## DNS: dnsperf against the Dokkaa DNS and dnsmasq, same records ($((MANIFESTS * (SCALE + 2))) names: A, A of all instances, SRV), loopback, same run
$(bench_machine)

| | queries/s (closed loop, 4 clients x 100 outstanding, ${DURATION} s) | avg latency at that load | p50 at ${RATE} q/s | p99 at ${RATE} q/s | rounds (q/s) |
|---|---|---|---|---|---|
| \`dokkaa-agent dns\` | $(med0 "${qps[dokkaa]}") | $(med "${avg[dokkaa]}") ms | $(med "${p50[dokkaa]}") ms | $(med "${p99[dokkaa]}") ms | ${qps[dokkaa]# } |
| dnsmasq $(dnsmasq --version | awk 'NR == 1 { print $3 }') | $(med0 "${qps[dnsmasq]}") | $(med "${avg[dnsmasq]}") ms | $(med "${p50[dnsmasq]}") ms | $(med "${p99[dnsmasq]}") ms | ${qps[dnsmasq]# } |
| ARSoft.Tools.Net 3.6.1 DnsServer (${arsoft_alloc:-?} bytes allocated per query) | $(med0 "${qps[arsoft]}") | $(med "${avg[arsoft]}") ms | $(med "${p50[arsoft]}") ms | $(med "${p99[arsoft]}") ms | ${qps[arsoft]# } |

ratio queries/s dokkaa / dnsmasq: $(ratio "$(med "${qps[dokkaa]}")" "$(med "${qps[dnsmasq]}")")   p99 dokkaa / dnsmasq: $(ratio "$(med "${p99[dokkaa]}")" "$(med "${p99[dnsmasq]}")")   queries/s dokkaa / ARSoft: $(ratio "$(med "${qps[dokkaa]}")" "$(med "${qps[arsoft]}")")
(dnsperf runs on the same 2 cores as the server it measures.)
EOF
