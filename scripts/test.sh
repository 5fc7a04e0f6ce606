#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine, builds dso and runs every test:
# unit tests (ctest) and the end-to-end tests against a real agent (pytest).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
(cd build && ctest --output-on-failure -j2)
if [[ -d tests/e2e ]] && compgen -G "tests/e2e/test_*.py" >/dev/null; then
  /usr/bin/python3 -m pytest -q tests/e2e
fi
