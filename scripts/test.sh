#!/usr/bin/env bash
# Runs every test of the project: installs the real programs the tests use (nix, redis, haproxy, ...)
# when missing, then runs the Maven build with all test tiers. Extra arguments go to Maven,
# e.g. scripts/test.sh -Dtest=NarInfoTest
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$root/scripts/lib/jdk.sh"
ncps_select_jdk
"$root/scripts/install-test-deps.sh" all
cd "$root"
exec ./mvnw -B --no-transfer-progress verify "$@"
