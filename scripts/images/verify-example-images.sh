#!/usr/bin/env bash
# Checks the images build-example-images.sh made, by running them:
#   - dokkaa/busybox:test runs a command, and its default httpd answers "ok";
#   - dockerfile/ubuntu runs `bash -c 'curl --version && sleep 0'`;
#   - dockerfile/nginx, started detached with -P, serves its welcome page: from the host on the mapped
#     loopback port (only when the daemon is this host's own), and to the README's crawler command,
#     run unchanged in dockerfile/ubuntu with SERVICE_NGINX_ADDR/PORT set to the nginx container.
# Traffic stays on loopback and between the containers started here; they are removed on exit.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
source "$here/lib.sh"

label="io.dokkaa.verify=$$-$RANDOM"
cleanup() {
    local ids
    ids=$(docker_ ps -aq --filter "label=$label" || true)
    if [[ -n "$ids" ]]; then docker_ rm -f $ids >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT

# Polls CONDITION (a command) until it succeeds or SECONDS_LEFT run out; the images start in well under
# a second, so the deadline only bounds a broken image.
wait_for() {
    local what=$1 seconds=$2 deadline
    shift 2
    deadline=$((SECONDS + seconds))
    until "$@"; do
        ((SECONDS < deadline)) || die "timed out after ${seconds}s waiting for $what"
        sleep 0.2
    done
}

# The host can reach published ports on its loopback only when the daemon runs in this network
# namespace: the default socket, or a DOCKER_HOST naming it.
local_daemon() {
    [[ -z "${DOCKER_HOST:-}" || "$DOCKER_HOST" == unix:///var/run/docker.sock || "$DOCKER_HOST" == unix:///run/docker.sock ]]
}

page_has() { curl -fsS "http://$1/" 2>/dev/null | grep -q "$2"; }
logs_have() { docker_ logs "$1" 2>/dev/null | grep -q "$2"; }
host_port() { docker_ port "$1" "$2" | awk -F: '/^0\.0\.0\.0:|^127\./ { print $NF; exit }'; }

# --- dokkaa/busybox:test ---
[[ "$(docker_ run --rm --label "$label" dokkaa/busybox:test sh -c 'echo hello')" == hello ]] ||
    die "dokkaa/busybox:test cannot run sh"
if local_daemon; then
    id=$(docker_ run -d --label "$label" -p 127.0.0.1::80 dokkaa/busybox:test)
    port=$(host_port "$id" 80/tcp)
    wait_for "busybox httpd on 127.0.0.1:$port" 20 page_has "127.0.0.1:$port" '^ok$'
fi
log "dokkaa/busybox:test ok"

# --- dockerfile/ubuntu ---
out=$(docker_ run --rm --label "$label" dockerfile/ubuntu bash -c 'curl --version && sleep 0')
grep -q '^curl ' <<<"$out" || die "dockerfile/ubuntu: curl --version printed: $out"
log "dockerfile/ubuntu ok"

# --- dockerfile/nginx ---
nginx=$(docker_ run -d --label "$label" -P dockerfile/nginx)
if local_daemon; then
    port=$(host_port "$nginx" 80/tcp)
    [[ -n "$port" ]] || die "dockerfile/nginx: no host port for 80/tcp"
    wait_for "nginx welcome page on 127.0.0.1:$port" 20 page_has "127.0.0.1:$port" 'Welcome to nginx'
fi
addr=$(docker_ inspect -f '{{ .NetworkSettings.IPAddress }}' "$nginx")
[[ -n "$addr" ]] || die "dockerfile/nginx: no address on the bridge"

# The seed's crawler manifest, command as written in the Dokkaa README.
crawler=$(docker_ run -d --label "$label" -e SERVICE_NGINX_ADDR="$addr" -e SERVICE_NGINX_PORT=80 dockerfile/ubuntu \
    /bin/bash -c 'while true; do curl http://$SERVICE_NGINX_ADDR:$SERVICE_NGINX_PORT; sleep 2; done')
wait_for "the crawler to fetch the welcome page" 20 logs_have "$crawler" 'Welcome to nginx'
log "dockerfile/nginx ok (host and crawler)"
