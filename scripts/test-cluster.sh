#!/usr/bin/env bash
# Issue 3's multi-host suite: real 3-host `dokkaa dev` clusters (namespaces, one dockerd and agent per
# host, 3-member etcd), on its own. Needs root. scripts/test.sh runs it too, after the other suites.
# DOKKAA_TEST_SECURE=1 runs it on `dokkaa dev up --secure` clusters (etcd with TLS, client certificates and
# auth; agents as user agent, the tests as user operator).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
dokkaa_install_packages
dokkaa_start_dockerd
dokkaa_build
bash "$DOKKAA_ROOT/scripts/images/build-example-images.sh" >/dev/null
cd "$DOKKAA_ROOT"
dotnet test tests/Dokkaa.Cluster.Tests -c Release --no-build -nologo --logger "console;verbosity=normal" "$@"
