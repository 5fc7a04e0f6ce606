#!/usr/bin/env bash
# Streaming lockfile benchmark: a yarn.lock and a package-lock.json shaped
# like a large monorepo's (tests/bench/make_big_lockfiles.py: up to
# 200,000 distinct packages however large the file), each scanned by dso (`dsoctl
# scan --scanners deps`, one npm advisory in its database) and, on the same
# file in the same run, by osv-scanner (offline, the same advisory): wall
# time, throughput and peak memory (maximum resident set), and the findings
# of each. Prints a Markdown table for docs/benchmarks.md. Builds first;
# installs osv-scanner with `go install` when it is missing. Usage:
#   tests/bench/lockfiles.sh [--yarn-mb N] [--lock-mb N] [--no-peer]
#   (defaults: 200 and 1000; the generated files are kept in
#   /var/tmp/dso-lockfiles-bench and reused while their size is the same)
set -euo pipefail
cd "$(dirname "$0")/../.."
source tests/bench/lib.sh
YARN_MB=200 LOCK_MB=1000 PEER=1
while (($#)); do
  case "$1" in
    --yarn-mb) YARN_MB=$2; shift 2 ;;
    --lock-mb) LOCK_MB=$2; shift 2 ;;
    --no-peer) PEER=0; shift ;;
    *) echo "usage: $0 [--yarn-mb N] [--lock-mb N] [--no-peer]" >&2; exit 2 ;;
  esac
done
scripts/build.sh >/dev/null
DSOCTL=$PWD/build/dsoctl/dsoctl
FILES=/var/tmp/dso-lockfiles-bench
WORK=$(mktemp -d /var/tmp/dso-lockfiles-run-XXXXXX)
trap '[[ -n ${KEEP:-} ]] || rm -rf "$WORK"' EXIT
mkdir -p "$FILES/yarn" "$FILES/npm" "$WORK/records"

# A file of the given size, made once.
make_file() {  # KIND MB PATH
  if [[ ! -f $3.$2 ]]; then
    rm -f "$3".*
    tests/bench/make_big_lockfiles.py "$1" "$2" "$3" >/dev/null
    touch "$3.$2"
  fi
}
make_file yarn "$YARN_MB" "$FILES/yarn/yarn.lock"
make_file package-lock "$LOCK_MB" "$FILES/npm/package-lock.json"

# One advisory, for a package every file holds at a version in its range.
cat >"$WORK/records/GHSA-bench-0001.json" <<'EOF'
{"schema_version": "1.6.0", "id": "GHSA-bench-0001", "modified": "2026-01-01T00:00:00Z",
 "summary": "benchmark advisory",
 "affected": [{"package": {"ecosystem": "npm", "name": "pkg-1"},
   "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "2.0.0"}]}]}]}
EOF
"$DSOCTL" --data-dir "$WORK/data" db import --db "$WORK/db" "$WORK/records" >/dev/null
if ((PEER)); then
  find_osv_scanner
  python3 - "$WORK/records" "$WORK/osvs-db" <<'EOF'
import json, os, sys
sys.path.insert(0, "tests/bench")
from osv_compare import write_zips
recs = [("npm", json.load(open(os.path.join(sys.argv[1], f))))
        for f in os.listdir(sys.argv[1])]
write_zips(recs, sys.argv[2])
EOF
fi

# "SECONDS MAX_RSS_KB EXIT_STATUS" of a command, its output kept in
# $WORK/out.
measure() {
  /usr/bin/time -f "%e %M %x" -o "$WORK/t" "$@" >"$WORK/out" 2>"$WORK/err" || true
  tail -n 1 "$WORK/t"
}
mb() { echo "scale=0; $(stat -c %s "$1") / 1000000" | bc; }
rate() { echo "scale=0; $1 / $2" | bc; }

echo "| lockfile (distinct packages) | dso: wall, MB/s, peak RSS, findings | osv-scanner $OSV_SCANNER_VERSION: wall, MB/s, peak RSS, findings | target |"
echo "|---|---|---|---|"
for file in "$FILES/yarn/yarn.lock" "$FILES/npm/package-lock.json"; do
  size=$(mb "$file")
  read -r s kb _ < <(measure "$DSOCTL" --data-dir "$WORK/data" scan \
    --path "$(dirname "$file")" --scanners deps --db "$WORK/db" \
    --report "$WORK/dso.json" --format json)
  n=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1])).get('findings') or []))" "$WORK/dso.json" 2>/dev/null || echo "?")
  dso="$s s, $(rate "$size" "$s") MB/s, $((kb / 1024)) MB, $n"
  pkgs=$(grep -o '[0-9]* packages' "$WORK/err" | tail -n 1 | cut -d' ' -f1)
  peer="not run"
  if ((PEER)); then
    read -r s kb status < <(OSV_SCANNER_LOCAL_DB_CACHE_DIRECTORY=$WORK/osvs-db \
      measure timeout 1800 "$OSVS" scan source --offline \
      --no-call-analysis=all --format json -L "$file")
    if [[ $status == 124 ]]; then
      echo "| $(basename "$file"), $size MB ($pkgs) | $dso | killed after 1800 s, peak RSS $((kb / 1024)) MB | ≤ 256 MB at ≥ 100 MB/s |"
      continue
    fi
    n=$(python3 -c "
import json,sys
r=json.load(open(sys.argv[1]))
print(sum(len(p.get('vulnerabilities') or []) for res in r.get('results') or [] for p in res.get('packages') or []))" "$WORK/out" 2>/dev/null || echo "failed")
    peer="$s s, $(rate "$size" "$s") MB/s, $((kb / 1024)) MB, $n"
  fi
  echo "| $(basename "$file"), $size MB ($pkgs) | $dso | $peer | ≤ 256 MB at ≥ 100 MB/s |"
done
