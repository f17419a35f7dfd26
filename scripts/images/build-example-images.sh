#!/usr/bin/env bash
# Builds local stand-ins for the images the Dokkaa README's examples name, under the same names, so the
# seed manifests run unchanged without a registry:
#   dockerfile/nginx   Debian's /usr/sbin/nginx and its libraries, a minimal nginx.conf that serves
#                      the nginx welcome page on port 80 in the foreground (EXPOSE 80,
#                      CMD nginx -g 'daemon off;'), access log to stdout, errors to stderr.
#   dockerfile/ubuntu  bash and curl with their libraries, /bin/sh -> bash, a few coreutils (sleep,
#                      cat, env, ls ...), and what curl needs for plain http to an address
#                      (nsswitch.conf, libnss_files/dns). CMD /bin/bash. No CA certificates: no https.
#   dokkaa/busybox:test  see build-test-image.sh.
# Then checks each one with `docker run` (verify-example-images.sh).
#
# Idempotent and offline. DOCKER_HOST selects another daemon; FORCE=1 rebuilds; VERIFY=0 skips checks.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
source "$here/lib.sh"

for bin in /usr/sbin/nginx /usr/bin/bash /usr/bin/curl; do
    [[ -x "$bin" ]] || die "$bin is missing: apt-get install nginx bash curl"
done

"$here/build-test-image.sh"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
umask 022
libdir=/usr/lib/x86_64-linux-gnu

# --- dockerfile/nginx ---------------------------------------------------------------------------
root="$work/nginx"
make_usrmerged_root "$root"
copy_with_libs "$root" /usr/sbin/nginx
# glibc 2.34+ has files lookups built in; the module is copied anyway for an older libc on the host.
for lib in "$libdir"/libnss_files.so.2; do [[ -e "$lib" ]] && copy_file "$root" "$lib"; done
write_users "$root"
printf '%s\n' 'passwd: files' 'group: files' 'hosts: files dns' >"$root/etc/nsswitch.conf"
copy_file "$root" /etc/nginx/mime.types
copy_file "$root" /usr/share/nginx/html/index.html
# The paths the Debian binary was configured with (nginx -V): logs, temp dirs, pid, lock.
mkdir -p "$root"/var/log/nginx "$root"/var/lib/nginx "$root"/var/lock
cat >"$root/etc/nginx/nginx.conf" <<'CONF'
# Minimal stand-in for the dockerfile/nginx image: the welcome page on port 80, logs to the
# container's stdout/stderr so `docker logs` shows them.
user nobody nogroup;
worker_processes 1;
error_log stderr;
pid /run/nginx.pid;

events {
    worker_connections 1024;
}

http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log /dev/stdout;
    sendfile on;
    keepalive_timeout 65;

    server {
        listen 80 default_server;
        server_name _;
        root /usr/share/nginx/html;
        index index.html;
    }
}
CONF
import_root "$root" dockerfile/nginx \
    'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    'EXPOSE 80' \
    'WORKDIR /etc/nginx' \
    'CMD ["nginx", "-g", "daemon off;"]'

# --- dockerfile/ubuntu --------------------------------------------------------------------------
root="$work/ubuntu"
make_usrmerged_root "$root"
tools=(bash curl sleep cat env ls mkdir rm cp mv ln head tail date id uname true false wc tr cut tee touch sort grep sed)
paths=()
for tool in "${tools[@]}"; do
    path=$(type -P "$tool") || die "$tool is missing on this host"
    # `type -P` may answer /bin/x; the root has merged /usr, so either path lands in usr/bin.
    paths+=("$(readlink -f "$path")")
done
copy_with_libs "$root" "${paths[@]}"
ln -sfn bash "$root/usr/bin/sh"
for lib in "$libdir"/libnss_files.so.2 "$libdir"/libnss_dns.so.2; do [[ -e "$lib" ]] && copy_file "$root" "$lib"; done
write_users "$root"
sed -i 's#^root:x:0:0:root:/root:/bin/sh$#root:x:0:0:root:/root:/bin/bash#' "$root/etc/passwd"
printf '%s\n' 'passwd: files' 'group: files' 'hosts: files dns' 'networks: files' >"$root/etc/nsswitch.conf"
import_root "$root" dockerfile/ubuntu \
    'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    'WORKDIR /root' \
    'CMD ["/bin/bash"]'

if [[ "${VERIFY:-1}" != 0 ]]; then
    "$here/verify-example-images.sh"
fi
