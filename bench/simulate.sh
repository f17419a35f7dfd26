#!/usr/bin/env bash
# Placement at a thousand times this machine, by simulation: bench/Dokkaa.Simulation runs the agents' real
# placement and claim code (PlacementPlanner, ClaimStore, HostMembership, ClusterView, StatusCalculator)
# against InMemoryEtcd with injected latency, at 1,000 and 10,000 hosts with 100,000 and 1,000,000
# instances, then kills 10% of the hosts at once and lets the rest re-place their instances. A scenario
# whose planning is projected past BUDGET seconds (from the scenarios before it) is scaled down, and the
# output says so. Prints the comparison with Nomad's C1M/C2M and Kubernetes' limits last.
# No network at all: one process, in memory.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
SCENARIOS="${SCENARIOS:-1000x100000,10000x100000,1000x1000000,10000x1000000}"
LATENCY_MS="${LATENCY_MS:-2}"
BUDGET="${BUDGET:-600}"

[ "$BENCH_SKIP_BUILD" = 1 ] || dotnet build "$BENCH_ROOT/bench/Dokkaa.Simulation" -c Release -nologo -v quiet -clp:ErrorsOnly
out="$BENCH_WORK/simulation.txt"
bench_machine >&2
dotnet "$BENCH_ROOT/bench/Dokkaa.Simulation/bin/Release/net10.0/Dokkaa.Simulation.dll" \
  --scenario "$SCENARIOS" --latency-ms "$LATENCY_MS" --budget-s "$BUDGET" | tee "$out" >&2

# The per-scenario detail goes to stderr above; the summary (from "## Summary" on) is the result.
bench_report simulate <<EOF
## Placement simulation: the real planner and claim code over an in-memory etcd (${LATENCY_MS} ms per call)
$(bench_machine)

$(sed -n '/^## Summary/,$p' "$out" | tail -n +3)
EOF
