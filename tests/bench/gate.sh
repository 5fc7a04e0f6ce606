#!/usr/bin/env bash
# Gate benchmark: 100,000 findings across 20 reports (dso JSON and SARIF in
# turn, a tenth repeated across reports), 200 waivers and a baseline of
# 20,000 findings, judged in process (dso_gate_bench, phase by phase) and
# by `dsoctl gate` (embedded, the whole command). Prints a Markdown table
# for docs/benchmarks.md. Builds first.
#   tests/bench/gate.sh [--reports N] [--findings M]
set -euo pipefail
cd "$(dirname "$0")/../.."
source tests/bench/lib.sh
REPORTS=20
FINDINGS=100000
while (($#)); do
  case "$1" in
    --reports) REPORTS=$2; shift 2 ;;
    --findings) FINDINGS=$2; shift 2 ;;
    *) echo "usage: $0 [--reports N] [--findings M]" >&2; exit 2 ;;
  esac
done
scripts/build.sh >/dev/null
WORK=$(mktemp -d /var/tmp/dso-gate-bench-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
python3 tests/bench/make_gate_reports.py "$WORK" --reports "$REPORTS" \
  --findings "$FINDINGS"
mb=$(du -cm "$WORK"/report-* | tail -n 1 | cut -f1)
reports=("$WORK"/report-*)
args=()
for r in "${reports[@]}"; do args+=(--report "$r"); done

inproc=() lines=()
for _ in 1 2 3; do
  line=$(build/tests/bench/dso_gate_bench "$WORK/waivers.yaml" \
    "$WORK/baseline.json" "${reports[@]}")
  lines+=("$line")
  inproc+=("$(sed 's/.*total \([0-9.]*\) ms.*/\1/' <<<"$line")")
done
best=$(median "${inproc[@]}")
detail=$(printf '%s\n' "${lines[@]}" | grep "total $best ms" | head -n 1)
walls=() rss=()
for _ in 1 2 3; do
  /usr/bin/time -f "%e %M" -o "$WORK/t" build/dsoctl/dsoctl \
    --data-dir "$WORK/data" gate --level 3 "${args[@]}" \
    --waivers "$WORK/waivers.yaml" --baseline "$WORK/baseline.json" \
    --date 2026-11-27 >/dev/null 2>&1 || true
  read -r s kb < <(tail -n 1 "$WORK/t")
  walls+=("$s"); rss+=("$kb")
done
echo "| benchmark | dso | target |"
echo "|---|---|---|"
echo "| gate, $FINDINGS findings in $REPORTS reports ($mb MB), 200 waivers, baseline of $((FINDINGS / 5)), in process, median of 3 | ${best} ms ($detail) | ≤ 200 ms |"
echo "| the same with \`dsoctl gate\` (embedded; process, files, journal and outputs included), median of 3 | $(median "${walls[@]}") s, $(( $(median "${rss[@]}") / 1024 )) MiB | |"
