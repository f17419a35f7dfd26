#!/usr/bin/env bash
# etcd client: the old JSON gateway client against the dotnet-etcd adapter, on one etcd, in the same run,
# alternating ROUNDS times: median / p99 microseconds of COUNT sequential puts, gets and create-if-absent
# transactions, and of COUNT/4 watch deliveries (a put until the watch yields it). The old client is built
# from OLD_REF (the last commit that had it) in a temporary git worktree; nothing of it stays in this tree.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
OLD_REF="${OLD_REF:-fd3c8c2}"
COUNT="${COUNT:-2000}"
ROUNDS="${ROUNDS:-3}"

old_tree="$BENCH_WORK/old-tree"
git -C "$BENCH_ROOT" worktree add --detach "$old_tree" "$OLD_REF" >/dev/null 2>&1
bench_on_exit "git -C '$BENCH_ROOT' worktree remove --force '$old_tree'"
project="$BENCH_ROOT/bench/Dokkaa.EtcdClientBench/Dokkaa.EtcdClientBench.csproj"
dotnet build "$project" -c Release -nologo -v quiet -clp:ErrorsOnly -o "$BENCH_WORK/new" --artifacts-path "$BENCH_WORK/obj-new" >&2
dotnet build "$project" -c Release -nologo -v quiet -clp:ErrorsOnly -o "$BENCH_WORK/old" --artifacts-path "$BENCH_WORK/obj-old" \
  -p:Gateway=true -p:DokkaaRoot="$old_tree" >&2
bench_start_etcd

rows=()
for round in $(seq "$ROUNDS"); do
  rows+=("$(dotnet "$BENCH_WORK/old/Dokkaa.EtcdClientBench.dll" "$BENCH_ETCD" "gateway (JSON over HTTP/1.1), round $round" "$COUNT")")
  rows+=("$(dotnet "$BENCH_WORK/new/Dokkaa.EtcdClientBench.dll" "$BENCH_ETCD" "dotnet-etcd (gRPC), round $round" "$COUNT")")
done

bench_report etcd-client <<REPORT
## etcd client: gateway vs dotnet-etcd
$(bench_machine)

$COUNT sequential calls each (watch: $((COUNT / 4)) deliveries), one client process per row, one single-member etcd on
loopback, rows alternating. Median / p99 in microseconds.

| client | put | get | txn (create if absent) | watch delivery |
|---|---|---|---|---|
$(printf '%s\n' "${rows[@]}")
REPORT
