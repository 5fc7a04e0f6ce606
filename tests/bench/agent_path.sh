#!/usr/bin/env bash
# The agent path against embedded: a secret scan of a source tree through a
# dso-agent on this machine (the directory handed over by descriptor, read
# in place), through one that takes no handed-over directories (a tar
# uploaded and unpacked, as a remote agent gets), and embedded; then the
# same three ways for a single file (a gate over one large dso JSON report,
# the file handed over by descriptor or sent as a tar). Three runs each
# after a warm-up, medians. Prints Markdown tables.
#   tests/bench/agent_path.sh [--corpus-mib N]
set -euo pipefail
cd "$(dirname "$0")/../.."
source tests/bench/lib.sh
MIB=60
while (($#)); do
  case "$1" in
    --corpus-mib) MIB=$2; shift 2 ;;
    *) echo "usage: $0 [--corpus-mib N]" >&2; exit 2 ;;
  esac
done
scripts/build.sh >/dev/null
DSOCTL=$PWD/build/dsoctl/dsoctl
WORK=$(mktemp -d /var/tmp/dso-agent-path-XXXXXX)
PIDS=()
trap 'kill "${PIDS[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"' EXIT
tests/bench/make_source_corpus.sh "$WORK/corpus" "$MIB" >/dev/null 2>&1
python3 tests/bench/make_gate_reports.py "$WORK/reports" --reports 1 \
  --findings 100000 >/dev/null
REPORT=$(ls "$WORK"/reports/*.json | grep -v -e waivers -e baseline | head -1)
start() {  # NAME CONFIG
  mkdir -p "$WORK/$1"
  printf '%s\n' "$2" >"$WORK/$1/config.yaml"
  build/agent/dso-agent --config "$WORK/$1/config.yaml" \
    --listen "unix://$WORK/$1/sock" --data-dir "$WORK/$1/data" >"$WORK/$1/log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 100); do [[ -S $WORK/$1/sock ]] && break; sleep 0.05; done
}
start handles "input_handles: true"
start tars "input_handles: false"
declare -A t g
for who in embedded handles tars; do
  case $who in
    embedded) cmd=("$DSOCTL" --data-dir "$WORK/emb") ;;
    *) cmd=("$DSOCTL" --agent "unix://$WORK/$who/sock") ;;
  esac
  scan=("${cmd[@]}" scan --scanners secrets --path "$WORK/corpus")
  # A gate's outcome on these findings is "fail" (exit 1): timed all the same.
  gate=("${cmd[@]}" gate --level 1 --report "$REPORT")
  "${scan[@]}" >/dev/null 2>&1; "${gate[@]}" >/dev/null 2>&1 || true  # warm-up
  runs=(); gates=()
  for _ in 1 2 3; do
    runs+=("$(seconds "${scan[@]}")")
    gates+=("$(seconds "${gate[@]}")")
  done
  t[$who]=$(median "${runs[@]}")
  g[$who]=$(median "${gates[@]}")
done
size=$(du -sm "$WORK/corpus" | cut -f1)
report_mb=$(du -m "$REPORT" | cut -f1)
ratio() { echo "scale=2; $1 / $2" | bc; }
echo "| secret scan of a ${size} MB tree | wall time (median of 3) | / embedded |"
echo "|---|---|---|"
printf '| embedded dsoctl | %.2f s | 1.00 |\n' "${t[embedded]}"
printf '| local agent, directory handed over (read in place) | %.2f s | %s |\n' "${t[handles]}" "$(ratio "${t[handles]}" "${t[embedded]}")"
printf '| local agent taking no handles (tar uploaded and unpacked) | %.2f s | %s |\n' "${t[tars]}" "$(ratio "${t[tars]}" "${t[embedded]}")"
echo
echo "| gate over one ${report_mb} MB report | wall time (median of 3) | / embedded |"
echo "|---|---|---|"
printf '| embedded dsoctl | %.2f s | 1.00 |\n' "${g[embedded]}"
printf '| local agent, file handed over (copied into the run) | %.2f s | %s |\n' "${g[handles]}" "$(ratio "${g[handles]}" "${g[embedded]}")"
printf '| local agent taking no handles (tar uploaded and unpacked) | %.2f s | %s |\n' "${g[tars]}" "$(ratio "${g[tars]}" "${g[embedded]}")"
