#!/usr/bin/env bash
# Dependency-scanning benchmarks: importing OSV data into the local database
# and matching 10,000 packages against it. Prints a Markdown table for
# docs/benchmarks.md. Builds first. Usage:
#   tests/bench/deps.sh [--osv DIR]   (default: ../shared/data/osv, with
#                                      its pypa/ and go/ record trees)
set -euo pipefail
cd "$(dirname "$0")/../.."
OSV=$(cd .. && pwd)/shared/data/osv
while (($#)); do
  case "$1" in
    --osv) OSV=$2; shift 2 ;;
    *) echo "usage: $0 [--osv DIR]" >&2; exit 2 ;;
  esac
done
[[ -d $OSV/pypa && -d $OSV/go ]] || { echo "no OSV data in $OSV" >&2; exit 2; }
scripts/build.sh >/dev/null
DSOCTL=$PWD/build/agent/dsoctl/dsoctl
WORK=$(mktemp -d /var/tmp/dso-deps-bench-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
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

echo "| benchmark | dso | target |"
echo "|---|---|---|"
echo "| import $records OSV records (PyPA YAML + Go JSON) into an empty database, wall, median of 3 | ${import_s} s | ≤ 2 s |"
echo "| re-import of the Go records, all unchanged | ${reimport_s} s | |"
echo "| matching 10,000 packages in process (\`dso_deps_bench\`) | $match | ≤ 50 ms |"
