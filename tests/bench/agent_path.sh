#!/usr/bin/env bash
# The agent path against embedded: a secret scan of a source tree through a
# dso-agent on this machine (the directory handed over by descriptor, read
# in place), through one that takes no handed-over directories (a tar
# uploaded and unpacked, as a remote agent gets), and embedded; three runs
# each after a warm-up, medians. Prints a Markdown table.
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
DSOCTL=$PWD/build/agent/dsoctl/dsoctl
WORK=$(mktemp -d /var/tmp/dso-agent-path-XXXXXX)
PIDS=()
trap 'kill "${PIDS[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"' EXIT
tests/bench/make_source_corpus.sh "$WORK/corpus" "$MIB" >/dev/null 2>&1
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
declare -A t
for who in embedded handles tars; do
  case $who in
    embedded) cmd=("$DSOCTL" --data-dir "$WORK/emb") ;;
    *) cmd=("$DSOCTL" --agent "unix://$WORK/$who/sock") ;;
  esac
  "${cmd[@]}" scan --scanners secrets --path "$WORK/corpus" >/dev/null 2>&1  # warm-up
  runs=()
  for _ in 1 2 3; do
    runs+=("$(seconds "${cmd[@]}" scan --scanners secrets --path "$WORK/corpus")")
  done
  t[$who]=$(median "${runs[@]}")
done
size=$(du -sm "$WORK/corpus" | cut -f1)
ratio() { echo "scale=2; $1 / $2" | bc; }
echo "| secret scan of a ${size} MB tree | wall time (median of 3) | / embedded |"
echo "|---|---|---|"
printf '| embedded dsoctl | %.2f s | 1.00 |\n' "${t[embedded]}"
printf '| local agent, directory handed over (read in place) | %.2f s | %s |\n' "${t[handles]}" "$(ratio "${t[handles]}" "${t[embedded]}")"
printf '| local agent taking no handles (tar uploaded and unpacked) | %.2f s | %s |\n' "${t[tars]}" "$(ratio "${t[tars]}" "${t[embedded]}")"
