#!/usr/bin/env bash
# The test command: installs and starts what the tests need (Docker, etcd binaries, nginx, dig),
# builds the solution, and runs every test project. Each integration test starts its own etcd on a
# free loopback port and cleans up its own containers.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

dokkaa_install_packages
dokkaa_start_dockerd
dokkaa_install_powershell
dokkaa_build
dokkaa_log "Building test images"
bash "$DOKKAA_ROOT/scripts/images/build-example-images.sh" >/dev/null

dokkaa_log "Running tests"
cd "$DOKKAA_ROOT"
set +e
# Four runs, one after the other. The agent suite (tests/Dokkaa.Agent.Tests) restarts the machine's dockerd
# and listens on the Docker bridge's port 53, so no other suite's containers or agents may run beside it.
# The multi-host suite (tests/Dokkaa.Cluster.Tests, 3-host `dokkaa dev` clusters) starts its own daemons
# and agents, and running it beside the other integration tests on 2 cores would only measure the machine.
dotnet test Dokkaa.sln -c Release --no-build -nologo --logger "console;verbosity=normal" --filter "FullyQualifiedName!~Dokkaa.Cluster.Tests&FullyQualifiedName!~Dokkaa.Agent.Tests" "$@" 2>&1 | tee /tmp/dokkaa-test.log
status=${PIPESTATUS[0]}
dokkaa_log "Agent suite"
dotnet test tests/Dokkaa.Agent.Tests -c Release --no-build -nologo --logger "console;verbosity=normal" "$@" 2>&1 | tee -a /tmp/dokkaa-test.log
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
dokkaa_log "Multi-host cluster suite"
dotnet test tests/Dokkaa.Cluster.Tests -c Release --no-build -nologo --logger "console;verbosity=normal" "$@" 2>&1 | tee -a /tmp/dokkaa-test.log
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
# The same suite once more on secured clusters (`dokkaa dev up --secure`: etcd with TLS, client certificates
# and auth; the agents as user agent, the tests and their CLI calls as user operator).
dokkaa_log "Multi-host cluster suite on a secured etcd"
DOKKAA_TEST_SECURE=1 dotnet test tests/Dokkaa.Cluster.Tests -c Release --no-build -nologo --logger "console;verbosity=normal" "$@" 2>&1 | tee -a /tmp/dokkaa-test.log
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
set -e
dokkaa_log "Pester suite (the module in a real pwsh)"
rm -f "$DOKKAA_ROOT/out/pester-results.xml"
bash "$DOKKAA_ROOT/tests/Pester/run.sh" 2>&1 | tee /tmp/dokkaa-pester.log
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
passed=$(grep -cE "^\s*Passed " /tmp/dokkaa-test.log || true)
failed=$(grep -cE "^\s*Failed " /tmp/dokkaa-test.log || true)
skipped=$(grep -cE "^\s*Skipped " /tmp/dokkaa-test.log || true)
# Pester's own counts, from its NUnit report; a run that wrote none counts as one failure.
pester_xml="$DOKKAA_ROOT/out/pester-results.xml"
if [ -f "$pester_xml" ]; then
  attr() { sed -n "/<test-results /{s/.*[[:space:]]$1=\"\([0-9]*\)\".*/\1/p;q}" "$pester_xml"; }
  p_total=$(attr total); p_failed=$(( $(attr failures) + $(attr errors) )); p_skipped=$(( $(attr skipped) + $(attr not-run) ))
  echo "Pester: $((p_total - p_failed - p_skipped)) passed, ${p_failed} failed, ${p_skipped} skipped"
  passed=$((passed + p_total - p_failed - p_skipped)); failed=$((failed + p_failed)); skipped=$((skipped + p_skipped))
else
  echo "Pester wrote no results (see /tmp/dokkaa-pester.log)"
  failed=$((failed + 1))
fi
if [ "$failed" -gt 0 ]; then
  # Repeated at the end, where a log cut to its last lines still shows what failed and why.
  dokkaa_log "Failed tests"
  grep -E -A 12 "^\s*Failed " /tmp/dokkaa-test.log | cut -c1-400
  grep -E -A 6 "\[-\]" /tmp/dokkaa-pester.log | cut -c1-400
fi
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
exit "$status"
