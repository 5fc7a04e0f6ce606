#!/usr/bin/env bash
# The unit tests under AddressSanitizer and UndefinedBehaviorSanitizer, in
# build-asan/ (DSO_SANITIZE=ON, -O1):
#   scripts/sanitize.sh             every test: builds everything, runs ctest
#   scripts/sanitize.sh TEST...     only these test binaries (e.g.
#                                   dso_secrets_test), built and run alone
# Not part of scripts/test.sh (a second full build of dso, about an hour on
# 2 cores); its last clean runs are recorded in docs/security.md.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Asan \
  -DCMAKE_CXX_FLAGS_ASAN="-O1 -g1" -DCMAKE_C_FLAGS_ASAN="-O1 -g1" \
  -DDSO_SANITIZE=ON >/dev/null
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
if (($# == 0)); then
  ninja -C build-asan
  cd build-asan && exec ctest --output-on-failure -j2
fi
ninja -C build-asan "$@"
for t in "$@"; do
  bin=$(find build-asan -type f -name "$t" -perm -u+x | head -1)
  [[ -n $bin ]] || { echo "sanitize: no test binary $t" >&2; exit 2; }
  echo "sanitize: $t"
  "$bin" --gtest_brief=1
done
