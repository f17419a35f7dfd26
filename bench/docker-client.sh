#!/usr/bin/env bash
# The agent's Docker client before and after it moved onto Docker.DotNet.Enhanced (issue 11), in the same run:
# bench/Dokkaa.DockerClientBench (IDockerClient only) built against this checkout and against BASELINE_REF
# (default fd3c8c2, the last commit with the hand-written client), alternating, median of TRIALS (default 5).
# Each trial: 200 pings, 200 inspects, 200 label-filtered lists of 20 containers (median latency of each),
# 20 sequential create+start and 20 removes (wall), allocations per inspect. Everything is on this dockerd
# and its unix socket; containers are labelled io.dokkaa.bench=1 and removed on exit. Not in bench/all:
# it needs the baseline's source.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
TRIALS="${TRIALS:-5}"
BASELINE_REF="${BASELINE_REF:-fd3c8c2}"
IMAGE=dokkaa/busybox:test
PROJECT=bench/Dokkaa.DockerClientBench

bench_prepare
baseline="$BENCH_WORK/baseline"
git -C "$BENCH_ROOT" worktree add --detach --quiet "$baseline" "$BASELINE_REF"
bench_on_exit "git -C '$BENCH_ROOT' worktree remove --force '$baseline'"
# The same benchmark source, built against the baseline's Dokkaa.Agent.
cp -r "$BENCH_ROOT/$PROJECT" "$baseline/bench/"
rm -rf "$baseline/$PROJECT/bin" "$baseline/$PROJECT/obj"
for root in "$BENCH_ROOT" "$baseline"; do
  (cd "$root" && dotnet build "$PROJECT" -c Release -nologo -v quiet -clp:ErrorsOnly)
done
bin() { echo "$1/$PROJECT/bin/Release/net10.0/Dokkaa.DockerClientBench"; }

: >"$BENCH_WORK/old" && : >"$BENCH_WORK/new"
for ((t = 1; t <= TRIALS; t++)); do
  if ((t % 2)); then order=(old new); else order=(new old); fi
  for side in "${order[@]}"; do
    if [ "$side" = old ]; then root="$baseline"; else root="$BENCH_ROOT"; fi
    "$(bin "$root")" "$IMAGE" >>"$BENCH_WORK/$side"
  done
done

col() { awk -v c="$2" '{ print $c }' "$BENCH_WORK/$1" | median; }
trials() { awk -v c="$2" '{ printf "%s ", $c }' "$BENCH_WORK/$1"; }
row() {
  local name="$1" c="$2" unit="$3" old new
  old=$(col old "$c") new=$(col new "$c")
  echo "| $name | $old $unit | $new $unit | $(ratio "$new" "$old") | $(trials old "$c")| $(trials new "$c")|"
}

bench_report docker-client <<REPORT
## Docker client: hand-written vs Docker.DotNet.Enhanced (median of $TRIALS trials, alternating, same run)
$(bench_machine)
Before: $BASELINE_REF (hand-written HttpClient client); after: $(git -C "$BENCH_ROOT" rev-parse --short HEAD) (adapter over Docker.DotNet.Enhanced 4.4.1, NativeHttp transport). Unix socket, API v1.41.

| per trial | hand-written | Docker.DotNet.Enhanced | after / before | trials before | trials after |
|---|---|---|---|---|---|
$(row "ping (median of 200)" 1 us)
$(row "inspect one container (median of 200)" 2 us)
$(row "list 20 by label (median of 200)" 3 us)
$(row "create + start 20, one after another" 4 ms)
$(row "remove 20 (force), one after another" 5 ms)
$(row "bytes allocated per inspect" 6 B)

A create + start costs $(awk -v a="$(col new 4)" 'BEGIN { printf "%.1f", a / 20 }') ms with the library against a ping of $(col new 1) us: the daemon's work is nearly all of it.
REPORT
