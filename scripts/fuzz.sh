#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz; clang, AddressSanitizer and
# UndefinedBehaviorSanitizer) into build-fuzz/ and runs them.
#
#   scripts/fuzz.sh [--regress]            every target over its seeds and
#                                           fixed crashes, plus a few thousand
#                                           new inputs each (CI; ~1 minute)
#   scripts/fuzz.sh --minutes N [TARGET...]  fuzz each target N minutes,
#                                           keeping what it finds in
#                                           build-fuzz/corpus/<target>
#   scripts/fuzz.sh --list                  the targets
#
# A crash leaves its input in build-fuzz/crashes/<target>/ and fails the
# script; once fixed, the input goes to tests/fuzz/seeds/<target>/.
set -euo pipefail
cd "$(dirname "$0")/.."
MODE=regress
MINUTES=0
TARGETS=()
while (($#)); do
  case "$1" in
    --regress) MODE=regress; shift ;;
    --minutes) MODE=fuzz; MINUTES=$2; shift 2 ;;
    --list) MODE=list; shift ;;
    -*) echo "usage: $0 [--regress | --minutes N [TARGET...] | --list]" >&2; exit 2 ;;
    *) TARGETS+=("$1"); shift ;;
  esac
done
command -v clang++ >/dev/null || { echo "fuzz: clang++ is missing (scripts/setup.sh installs it)" >&2; exit 1; }
# -O1 with line tables: stack traces name lines, and the build (everything
# under two sanitizers) takes about half as long as -O2 -g. NDEBUG as in
# the release build: what is fuzzed is what runs (a library's assert that
# the release build compiles out is no defence).
CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=Fuzz \
  -DCMAKE_CXX_FLAGS_FUZZ="-O1 -gline-tables-only -DNDEBUG" -DCMAKE_C_FLAGS_FUZZ="-O1 -gline-tables-only -DNDEBUG" \
  -DDSO_FUZZ=ON >/dev/null
ninja -C build-fuzz fuzz >/dev/null
mapfile -t ALL < <(cd build-fuzz/tests/fuzz && ls fuzz_* | sed 's/^fuzz_//' | sort)
if [[ $MODE == list ]]; then printf '%s\n' "${ALL[@]}"; exit 0; fi
((${#TARGETS[@]})) || TARGETS=("${ALL[@]}")
SEEDS=build-fuzz/seeds
tests/fuzz/seeds.sh "$SEEDS"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:symbolize=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
failed=()
for t in "${TARGETS[@]}"; do
  bin=build-fuzz/tests/fuzz/fuzz_$t
  [[ -x $bin ]] || { echo "fuzz: no target '$t' (--list names them)" >&2; exit 2; }
  corpus=build-fuzz/corpus/$t
  crashes=build-fuzz/crashes/$t
  mkdir -p "$corpus" "$crashes" "$SEEDS/$t"
  args=(-rss_limit_mb=2048 -timeout=20 -max_len=262144 -artifact_prefix="$crashes/")
  # The format's keywords (tests/fuzz/dicts) where it has them.
  case $t in
    gitleaks_config|lockfile_cargo_lock|lockfile_poetry_lock|lockfile_uv_lock) dict=toml ;;
    configs|agent_config|deploy_targets|lockfile_pnpm_lock|lockfile_yarn_lock) dict=yaml ;;
    gate|gate_evidence|osv|osv_zip|signatures|cosign_key|registry_responses|oci_image|journal|rasp_event) dict=json ;;
    lockfile_package_lock_json|lockfile_package_json|lockfile_composer_lock|lockfile_pipfile_lock|lockfile_nuget_lock) dict=json ;;
    *) dict="" ;;
  esac
  [[ -n $dict ]] && args+=(-dict="tests/fuzz/dicts/$dict.dict")
  if [[ $MODE == regress ]]; then
    # The seeds as they are, then 2,000 inputs made from them.
    args+=(-runs=2000 -seed=1)
    work=$(mktemp -d)
    dirs=("$work" "$SEEDS/$t")
  else
    args+=(-max_total_time=$((MINUTES * 60)) -print_final_stats=1)
    dirs=("$corpus" "$SEEDS/$t")
  fi
  log=build-fuzz/$t.log
  if "$bin" "${args[@]}" "${dirs[@]}" >"$log" 2>&1; then
    # -a: the log quotes dictionary entries, which may hold any byte.
    edges=$(grep -aEo 'DONE +cov: [0-9]+' "$log" | grep -Eo '[0-9]+$' | tail -1 || true)
    runs=$(grep -aEo 'stat::number_of_executed_units: [0-9]+' "$log" | grep -Eo '[0-9]+$' | tail -1 || true)
    [[ -n $runs ]] || runs=$(grep -aEo '^#[0-9]+' "$log" | tail -1 | tr -d '#' || true)
    echo "fuzz: $t ok (${edges:-?} edges, ${runs:-?} runs)"
  else
    echo "fuzz: $t FAILED (log: $log, input in $crashes/)" >&2
    grep -aE "ERROR|runtime error|SUMMARY" "$log" | head -5 >&2 || true
    failed+=("$t")
  fi
  [[ $MODE == regress ]] && rm -rf "$work"
done
((${#failed[@]} == 0)) || { echo "fuzz: failed: ${failed[*]}" >&2; exit 1; }
