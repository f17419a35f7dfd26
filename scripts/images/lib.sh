# shellcheck shell=bash
# Helpers shared by the image scripts. Sourced, not run.
#
# No registry can be reached from the machines Dokkaa is built and tested on, so every image is a
# root filesystem assembled from files of this host and loaded with `docker import`.

# The daemon to talk to: DOCKER_HOST (unix:///path or tcp://host:port) if set, else the docker default.
# Passed as -H so that a caller can point one script run at another daemon, e.g. a host in a netns.
docker_() {
    if [[ -n "${DOCKER_HOST:-}" ]]; then
        docker -H "$DOCKER_HOST" "$@"
    else
        docker "$@"
    fi
}

log() { printf '%s: %s\n' "$(basename "$0")" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# Lays out an empty root with Debian's merged /usr (bin, sbin, lib, lib64 link into usr/), so the
# library paths that ldd prints (/lib/x86_64-linux-gnu/..., /lib64/ld-linux...) land where they resolve.
make_usrmerged_root() {
    local root=$1 d
    mkdir -p "$root"/usr/{bin,sbin,lib,lib64} "$root"/{etc,tmp,root,run,var/tmp}
    for d in bin sbin lib lib64; do ln -sfn "usr/$d" "$root/$d"; done
    chmod 1777 "$root/tmp" "$root/var/tmp"
}

# Copies one host file into the root at the same path, following links so the content is real.
copy_file() {
    local root=$1 path=$2
    [[ -e "$path" ]] || die "missing on this host: $path"
    mkdir -p "$root$(dirname "$path")"
    cp -L "$path" "$root$path"
}

# Copies executables and every shared library ldd lists for them (ldd resolves the whole tree).
copy_with_libs() {
    local root=$1 bin lib
    shift
    for bin in "$@"; do
        copy_file "$root" "$bin"
        # Static binaries make ldd fail with "not a dynamic executable": nothing more to copy then.
        while read -r lib; do
            copy_file "$root" "$lib"
        done < <(ldd "$bin" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' || true)
    done
}

# Writes /etc/passwd and /etc/group with root and nobody/nogroup (nginx workers and `id` need them).
write_users() {
    local root=$1
    mkdir -p "$root/etc"
    printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin' >"$root/etc/passwd"
    printf '%s\n' 'root:x:0:' 'nogroup:x:65534:' >"$root/etc/group"
}

# Imports the root as IMAGE with the given `--change` instructions, unless IMAGE already holds exactly
# this content and these instructions (label io.dokkaa.image.source). That keeps reruns cheap and
# leaves image ids alone; FORCE=1 rebuilds anyway.
import_root() {
    local root=$1 image=$2 tarball source current old
    shift 2
    local changes=("$@") args=()
    tarball=$(mktemp)
    # Sorted names, fixed times and owners: the same files always make the same tarball and digest.
    tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$root" -cf "$tarball" .
    source=$( { sha256sum <"$tarball"; printf '%s\n' "${changes[@]}"; } | sha256sum | cut -c1-32)
    current=$(docker_ image inspect -f '{{ index .Config.Labels "io.dokkaa.image.source" }}' "$image" 2>/dev/null || true)
    if [[ "$current" == "$source" && -z "${FORCE:-}" ]]; then
        log "$image is up to date ($source)"
        rm -f "$tarball"
        return
    fi
    old=$(docker_ image inspect -f '{{ .Id }}' "$image" 2>/dev/null || true)
    args=(--change "LABEL io.dokkaa.image.source=$source")
    local change
    for change in "${changes[@]}"; do args+=(--change "$change"); done
    docker_ import "${args[@]}" "$tarball" "$image" >/dev/null
    rm -f "$tarball"
    # The replaced image is now untagged; drop it unless a container still uses it.
    if [[ -n "$old" ]]; then docker_ image rm "$old" >/dev/null 2>&1 || true; fi
    log "built $image ($source)"
}
