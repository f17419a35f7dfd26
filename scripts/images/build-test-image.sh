#!/usr/bin/env bash
# Builds dokkaa/busybox:test, the small image the tests run: /bin/busybox (busybox-static) and a link
# for every applet (sh, httpd, wget, nc, sleep, cat, echo, env, ls, ps, kill, true, false ...).
#
# Default command: write "ok" to /www/index.html and serve /www with busybox httpd on port 80 in the
# foreground. sh stays PID 1 and traps TERM, so `docker stop` ends it at once with exit code 0 rather
# than waiting out the kill timeout (a PID 1 without a handler ignores TERM).
# No port is EXPOSEd on purpose: tests say which ports to expose, so they check that path.
#
# Idempotent and offline. DOCKER_HOST selects another daemon; FORCE=1 rebuilds.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
source "$here/lib.sh"

image=${IMAGE:-dokkaa/busybox:test}
busybox=/bin/busybox
[[ -x "$busybox" ]] || die "$busybox is missing: apt-get install busybox-static"
# A dynamically linked busybox would need its libraries too; the static one needs nothing.
if ldd "$busybox" >/dev/null 2>&1; then die "$busybox is not static: apt-get install busybox-static"; fi

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
umask 022
mkdir -p "$root"/{bin,etc,tmp,root,www}
chmod 1777 "$root/tmp"
ln -s bin "$root/sbin"
mkdir -p "$root/usr"
ln -s ../bin "$root/usr/bin"
ln -s ../bin "$root/usr/sbin"
cp "$busybox" "$root/bin/busybox"
while read -r applet; do
    [[ "$applet" == busybox ]] || ln -sf busybox "$root/bin/$applet"
done < <("$busybox" --list)
write_users "$root"
printf '%s\n' 'passwd: files' 'group: files' 'hosts: files dns' >"$root/etc/nsswitch.conf"

# Written as the JSON the daemon stores, hence a heredoc: no quoting layer in between.
cmd=$(cat <<'JSON'
CMD ["sh", "-c", "mkdir -p /www && echo ok > /www/index.html || exit 1; httpd -f -p 80 -h /www & pid=$!; trap 'kill $pid; exit 0' TERM INT; wait $pid"]
JSON
)
import_root "$root" "$image" \
    'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    "$cmd"
