#!/usr/bin/env bash
# The unit tests under AddressSanitizer and UndefinedBehaviorSanitizer:
# builds build-asan/ (DSO_SANITIZE=ON, -O1) and runs ctest there, with any
# ctest arguments given (e.g. -R Secret). Not part of scripts/test.sh (a
# second full build of dso); its last clean run is recorded in
# docs/security.md.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Asan \
  -DCMAKE_CXX_FLAGS_ASAN="-O1 -g1" -DCMAKE_C_FLAGS_ASAN="-O1 -g1" \
  -DDSO_SANITIZE=ON >/dev/null
ninja -C build-asan
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
cd build-asan && ctest --output-on-failure -j2 "$@"
