#!/usr/bin/env bash
# Dependency-scanning benchmarks: importing OSV data into the local database,
# matching 10,000 packages in process, and dso against osv-scanner (offline,
# with a local database built from the same records) on the same lockfiles
# in the same run: findings sets and wall time. Prints a Markdown table for
# docs/benchmarks.md. Builds first; installs osv-scanner with `go install`
# when it is missing. Usage:
#   tests/bench/deps.sh [--osv DIR]   (default: ../shared/data/osv, with
#                                      its pypa/ and go/ record trees)
set -euo pipefail
cd "$(dirname "$0")/../.."
source tests/bench/lib.sh
OSV=$(cd .. && pwd)/shared/data/osv
while (($#)); do
  case "$1" in
    --osv) OSV=$2; shift 2 ;;
    *) echo "usage: $0 [--osv DIR]" >&2; exit 2 ;;
  esac
done
[[ -d $OSV/pypa && -d $OSV/go ]] || { echo "no OSV data in $OSV" >&2; exit 2; }
scripts/build.sh >/dev/null
DSOCTL=$PWD/build/dsoctl/dsoctl
WORK=$(mktemp -d /var/tmp/dso-deps-bench-XXXXXX)
trap '[[ -n ${KEEP:-} ]] || rm -rf "$WORK"' EXIT
records=$(find "$OSV/pypa" "$OSV/go" -type f \( -name '*.json' -o -name '*.yaml' \) | wc -l)

# Import into an empty database, three times; the median.
times=()
for i in 1 2 3; do
  rm -rf "$WORK/db"
  /usr/bin/time -f "%e" -o "$WORK/t" "$DSOCTL" --data-dir "$WORK/data" db import \
    --db "$WORK/db" "$OSV/pypa" "$OSV/go" >/dev/null 2>&1
  times+=("$(tail -n 1 "$WORK/t")")
done
import_s=$(printf '%s\n' "${times[@]}" | sort -g | sed -n 2p)
/usr/bin/time -f "%e" -o "$WORK/t" "$DSOCTL" --data-dir "$WORK/data" db import \
  --db "$WORK/db" "$OSV/go" >/dev/null 2>&1
reimport_s=$(tail -n 1 "$WORK/t")
match=$(build/tests/bench/dso_deps_bench "$WORK/db" 10000)

find_osv_scanner
tests/bench/osv_compare.py zips "$OSV" "$WORK/osvs-db"
tests/bench/osv_compare.py project "$OSV" "$WORK/proj" 10000
npkg=$(($(wc -l <"$WORK/proj/requirements.txt") + $(grep -c '^\s' "$WORK/proj/go.mod")))
/usr/bin/time -f "%e" -o "$WORK/t" "$DSOCTL" --data-dir "$WORK/data" scan \
  --path "$WORK/proj" --scanners deps --db "$WORK/db" \
  --report "$WORK/dso.json" --format json >/dev/null 2>&1
dso_s=$(tail -n 1 "$WORK/t")
OSV_SCANNER_LOCAL_DB_CACHE_DIRECTORY=$WORK/osvs-db /usr/bin/time -f "%e" \
  -o "$WORK/t" "$OSVS" scan source --offline --no-call-analysis=all \
  --format json -r "$WORK/proj" >"$WORK/osvs.json" 2>"$WORK/osvs.err" || true
osvs_s=$(tail -n 1 "$WORK/t")
compare=$(tests/bench/osv_compare.py diff "$OSV" "$WORK/dso.json" "$WORK/osvs.json" | tr '\n' ';')

# The other ecosystems, on the e2e test's tree and records.
tests/bench/osv_compare.py ecosystems "$WORK/eco"
"$DSOCTL" --data-dir "$WORK/data" db import --db "$WORK/eco/db" \
  "$WORK/eco/records" >/dev/null 2>&1
"$DSOCTL" --data-dir "$WORK/data" scan --path "$WORK/eco/proj" --scanners deps \
  --db "$WORK/eco/db" --report "$WORK/eco/dso.json" --format json >/dev/null 2>&1
OSV_SCANNER_LOCAL_DB_CACHE_DIRECTORY=$WORK/eco/osvs-db "$OSVS" scan source \
  --offline --no-call-analysis=all --format json -r "$WORK/eco/proj" \
  >"$WORK/eco/osvs.json" 2>/dev/null || true
eco_compare=$(tests/bench/osv_compare.py ecosystems-diff "$WORK/eco/dso.json" \
  "$WORK/eco/osvs.json" | tr '\n' ';')

echo "| benchmark | dso | target |"
echo "|---|---|---|"
echo "| import $records OSV records (PyPA YAML + Go JSON) into an empty database, wall, median of 3 | ${import_s} s | ≤ 2 s |"
echo "| re-import of the Go records, all unchanged | ${reimport_s} s | |"
echo "| matching 10,000 packages in process (\`dso_deps_bench\`) | $match | ≤ 50 ms |"
echo "| requirements.txt + go.mod, $npkg packages, wall: dso vs osv-scanner $OSV_SCANNER_VERSION (--offline) | ${dso_s} s vs ${osvs_s} s | $(echo "scale=1; $osvs_s / $dso_s" | bc)× faster (target ≥ 10×) |"
echo "| findings (package, version, advisory) | $compare | same set, differences explained |"
echo "| Maven, RubyGems, Packagist, NuGet, Debian, Alpine (the e2e tree): findings (file, package, version, advisory) | $eco_compare | same set, differences explained |"
