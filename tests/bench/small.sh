#!/usr/bin/env bash
# Small inputs, where a developer waits on every commit: dso against
# gitleaks on 10 KB from stdin and on a tree of three small files, with the
# same config (gitleaks' own default) and with each tool's own rules, in
# the same run. Start-up dominates here. Median of 7 runs each after a
# warm-up (dso's first run also fills its rule caches). Then start-up
# alone: `--version` of both, and an embedded `dsoctl exec -- true` (the
# cost of any embedded command), in an empty data dir and in one keeping
# 1,000 runs. Prints Markdown tables for docs/benchmarks.md.
#   tests/bench/small.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
source tests/bench/lib.sh
GITLEAKS_VERSION=v8.30.1
scripts/build.sh >/dev/null
DSOCTL=$PWD/build/dsoctl/dsoctl
CONFIG=$PWD/tests/fixtures/gitleaks/gitleaks.toml
find_gitleaks
WORK=$(mktemp -d /var/tmp/dso-small-bench-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
# 10 KB of source with one AWS key in it; the tree: three such files.
{ head -c 9000 stages/scan/secrets/internal/secret_matcher.cc
  echo 'aws_access_key_id = "AKIA''QYLPMN5HHHFPZAM2"'
  head -c 1000 stages/scan/secrets/secret_scanner.cc; } >"$WORK/10k.txt"
mkdir "$WORK/tree"
for n in a b c; do cp "$WORK/10k.txt" "$WORK/tree/$n.py"; done
RUNS=7
median_of() {  # CMD...: the median wall time of RUNS runs, after a warm-up
  local runs=() i
  "$@" >/dev/null 2>&1 || true
  # To the millisecond: start-up differences here are a few of them.
  for ((i = 0; i < RUNS; i++)); do runs+=("$(elapsed 3 "$@")"); done
  printf '%s\n' "${runs[@]}" | sort -g | sed -n "$(((RUNS + 1) / 2))p"
}
dso=("$DSOCTL" --data-dir "$WORK/data" scan --scanners secrets)
gl=("$GITLEAKS" --no-banner --exit-code 0)
stdin() { "$@" <"$WORK/10k.txt"; }
row() {  # LABEL DSO_SECONDS GITLEAKS_SECONDS
  printf '| %s | %.3f s | %.3f s | %s |\n' "$1" "$2" "$3" \
    "$(echo "scale=2; $3 / $2" | bc)x"
}
echo "| input | dso | gitleaks $GITLEAKS_VERSION | dso's speed-up |"
echo "|---|---|---|---|"
row "10 KB on stdin, gitleaks' config" \
  "$(median_of stdin "${dso[@]}" --path - --config "$CONFIG")" \
  "$(median_of stdin "${gl[@]}" stdin -c "$CONFIG")"
row "3 files (30 KB), gitleaks' config" \
  "$(median_of "${dso[@]}" --path "$WORK/tree" --config "$CONFIG")" \
  "$(median_of "${gl[@]}" dir "$WORK/tree" -c "$CONFIG")"
row "10 KB on stdin, each tool's own rules" \
  "$(median_of stdin "${dso[@]}" --path -)" \
  "$(median_of stdin "${gl[@]}" stdin)"
row "3 files (30 KB), each tool's own rules" \
  "$(median_of "${dso[@]}" --path "$WORK/tree")" \
  "$(median_of "${gl[@]}" dir "$WORK/tree")"
echo
echo "| start-up | dso | gitleaks $GITLEAKS_VERSION |"
echo "|---|---|---|"
printf '| `--version` / `version` | %.3f s | %.3f s |\n' \
  "$(median_of "$DSOCTL" --version)" "$(median_of "$GITLEAKS" version)"
printf '| `dsoctl exec -- true`, embedded, no runs kept | %.3f s | |\n' \
  "$(median_of "$DSOCTL" --data-dir "$WORK/empty" exec -- true)"
for ((i = 0; i < 1000; i++)); do
  "$DSOCTL" --data-dir "$WORK/kept" exec -- true >/dev/null 2>&1
done
printf '| `dsoctl exec -- true`, embedded, 1,000 runs kept | %.3f s | |\n' \
  "$(median_of "$DSOCTL" --data-dir "$WORK/kept" exec -- true)"
