#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine, builds dso and runs every test: unit
# tests (ctest), the fuzz targets' regressions, and the end-to-end tests
# against a real agent (pytest).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
(cd build && ctest --output-on-failure -j2)
# Every parser's fuzz target (clang, ASan+UBSan) over its seeds and the
# crashes fixed so far, then 2,000 new inputs each (tests/fuzz).
scripts/fuzz.sh --regress
# Debian's python3 (it has python3-grpcio), whatever python3 is first in PATH.
/usr/bin/python3 -m pytest -q -p no:cacheprovider tests/e2e
# The trust boundary, tried as an attacker would (docs/security.md).
/usr/bin/python3 -m pytest -q -p no:cacheprovider tests/security
# The Jenkins library on Groovy 2.4: unit tests, then its steps end to end
# against a real agent and dsoctl.
DSOCTL=$PWD/build/dsoctl/dsoctl DSO_AGENT_BIN=$PWD/build/agent/dso-agent \
  jenkins-shim/test/run.sh
