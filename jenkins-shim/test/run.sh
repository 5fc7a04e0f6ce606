#!/usr/bin/env bash
# Runs the Jenkins library's tests on Groovy 2.4 (Debian's groovy, the
# version Jenkins runs pipeline code on): the unit tests always, the
# end-to-end test when DSOCTL names a built dsoctl.
set -euo pipefail
cd "$(dirname "$0")/.."
exec groovy -cp test test/run_all.groovy "$PWD"
