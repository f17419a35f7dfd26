#!/usr/bin/env bash
# Micro benchmarks (BenchmarkDotNet 0.14.0, in process, a short job): the DNS answer path
# (DnsResolverCore.Answer for A and SRV: operations per second and bytes allocated; the aim is zero),
# manifest parsing (ManifestParser.Parse of the seed's examples/), and the placement hot spots.
# FILTER selects benchmarks (default: all). No network.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
FILTER="${FILTER:-*}"

[ "$BENCH_SKIP_BUILD" = 1 ] || dotnet build "$BENCH_ROOT/bench/Dokkaa.Benchmarks" -c Release -nologo -v quiet -clp:ErrorsOnly
out="$BENCH_WORK/artifacts"
bench_machine >&2
(cd "$BENCH_WORK" && dotnet "$BENCH_ROOT/bench/Dokkaa.Benchmarks/bin/Release/net10.0/Dokkaa.Benchmarks.dll" \
  --short --filter "$FILTER" --artifacts "$out" >&2)

bench_report micro <<EOF
## Micro benchmarks (BenchmarkDotNet, in process, short job)
$(bench_machine)

$(for f in "$out"/results/*-report-github.md; do sed -n '/^|/p' "$f"; echo; done)
EOF
