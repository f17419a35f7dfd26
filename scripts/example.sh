#!/usr/bin/env bash
# The Dokkaa README's "Basic example", for real on this machine: installs and starts Docker and etcd,
# builds Dokkaa and the stand-in images (dockerfile/nginx, dockerfile/ubuntu), starts a local agent,
# applies nginx.json and crawler.json with the dokkaa CLI, and shows the crawler fetching nginx
# through its link. `scripts/example.sh down` stops the agent, etcd and the containers again.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

WORK=/tmp/dokkaa-example
ETCD_PORT="${DOKKAA_EXAMPLE_ETCD_PORT:-2379}"
ETCD="http://127.0.0.1:${ETCD_PORT}"
AGENT="$DOKKAA_ROOT/src/Dokkaa.Agent/bin/Release/net10.0/dokkaa-agent"
CLI="$DOKKAA_ROOT/src/Dokkaa.Cli/bin/Release/net10.0/dokkaa"

down() {
  if [ -f "$WORK/agent.pid" ]; then kill "$(cat "$WORK/agent.pid")" 2>/dev/null || true; rm -f "$WORK/agent.pid"; fi
  docker ps -aq --filter label=io.dokkaa.app=dummy | xargs -r docker rm -f >/dev/null
  if [ -f "$WORK/etcd.pid" ]; then kill "$(cat "$WORK/etcd.pid")" 2>/dev/null || true; rm -f "$WORK/etcd.pid"; fi
  rm -rf "$WORK"
  echo "example stopped and cleaned up"
}

if [[ "${1:-}" == "down" ]]; then down; exit 0; fi

dokkaa_install_packages
dokkaa_start_dockerd
dokkaa_build
dokkaa_log "Building the example images (docker import, no registry needed)"
bash "$DOKKAA_ROOT/scripts/images/build-example-images.sh" >/dev/null

mkdir -p "$WORK"
if ! curl -fsS "$ETCD/health" >/dev/null 2>&1; then
  dokkaa_start_etcd "$ETCD_PORT" "$WORK/etcd"
  pgrep -f -n "etcd --name dokkaa --data-dir $WORK/etcd" >"$WORK/etcd.pid" || true
fi

if [ -f "$WORK/agent.pid" ] && kill -0 "$(cat "$WORK/agent.pid")" 2>/dev/null; then
  dokkaa_log "Agent already running (pid $(cat "$WORK/agent.pid"))"
else
  dokkaa_log "Starting dokkaa-agent (log: $WORK/agent.log)"
  nohup "$AGENT" --etcd "$ETCD" --host-id local --host-ip 127.0.0.1 --data-dir "$WORK/agent" >"$WORK/agent.log" 2>&1 &
  echo $! >"$WORK/agent.pid"
fi

dokkaa_log "dokkaa apply -f examples/nginx.json --app dummy --name nginx"
"$CLI" --etcd "$ETCD" apply -f "$DOKKAA_ROOT/examples/nginx.json" --app dummy --name nginx
"$CLI" --etcd "$ETCD" wait --app dummy --name nginx --timeout 2m

dokkaa_log "dokkaa apply -f examples/crawler.json --app dummy --name crawler"
"$CLI" --etcd "$ETCD" apply -f "$DOKKAA_ROOT/examples/crawler.json" --app dummy --name crawler
"$CLI" --etcd "$ETCD" wait --app dummy --name crawler --timeout 2m

dokkaa_log "dokkaa ps"
"$CLI" --etcd "$ETCD" ps --app dummy

dokkaa_log "docker logs dummy---crawler (the crawler fetching nginx through SERVICE_NGINX_ADDR:SERVICE_NGINX_PORT)"
deadline=$((SECONDS + 60))
until docker logs dummy---crawler 2>/dev/null | grep -q "Welcome to nginx"; do
  if ((SECONDS > deadline)); then echo "the crawler has not fetched nginx within 60s; agent log: $WORK/agent.log" >&2; exit 1; fi
  sleep 0.5
done
docker exec dummy---crawler bash -c 'echo "SERVICE_NGINX_ADDR=$SERVICE_NGINX_ADDR SERVICE_NGINX_PORT=$SERVICE_NGINX_PORT"'
docker logs dummy---crawler 2>/dev/null | grep -E "Welcome to nginx|<title>" | tail -5
echo
echo "The example keeps running. Watch it with: docker logs -f dummy---crawler"
echo "Stop and clean up with: scripts/example.sh down"
