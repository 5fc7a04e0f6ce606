#!/usr/bin/env bash
# A/B of two dso-agent builds on the same machine in the same run: the
# gRPC floor (GetInfo), noop run round trips (journal on disk) and event
# streaming, measured by this tree's dso_rpc_bench against each agent in
# turn (which goes first alternates), five rounds, medians reported. Prints
# a Markdown table.
# Usage:
#   tests/bench/agent_ab.sh BASE_AGENT [--runs N] [--stream-mib N] [--rounds N]
# BASE_AGENT is the other build's dso-agent binary, e.g. built from an
# older commit in a worktree:
#   git worktree add /tmp/base REV && cmake -S /tmp/base -B /tmp/base/build \
#     -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo && ninja -C /tmp/base/build dso-agent
set -euo pipefail
cd "$(dirname "$0")/../.."
source tests/bench/lib.sh
BASE=${1:?usage: $0 BASE_AGENT [--runs N] [--stream-mib N] [--rounds N]}
shift
RUNS=2000
STREAM_MIB=512
ROUNDS=5
while (($#)); do
  case "$1" in
    --runs) RUNS=$2; shift 2 ;;
    --stream-mib) STREAM_MIB=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    *) echo "usage: $0 BASE_AGENT [--runs N] [--stream-mib N] [--rounds N]" >&2
       exit 2 ;;
  esac
done
NEW=build/agent/dso-agent
RPC=build/tests/bench/dso_rpc_bench
[[ -x $RPC && -x $NEW ]] || { echo "build first: scripts/build.sh" >&2; exit 2; }
WORK=$(mktemp -d /var/tmp/dso-ab-XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

declare -A PID_OF
start() {  # NAME BINARY
  mkdir -p "$WORK/$1"
  "$2" --listen "unix://$WORK/$1/agent.sock" --data-dir "$WORK/$1/data" \
    >"$WORK/$1/agent.log" 2>&1 &
  PIDS+=($!)
  PID_OF[$1]=$!
  for _ in $(seq 100); do [[ -S "$WORK/$1/agent.sock" ]] && break; sleep 0.05; done
}
# The agent's CPU time so far (user + system), in clock ticks.
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

start base "$BASE"
start new "$NEW"
declare -A info lat stream cpu
for who in base new; do  # warm up: past the first 1,064 runs journals are reused
  "$RPC" --agent "unix://$WORK/$who/agent.sock" latency 1200 >/dev/null
done
for round in $(seq "$ROUNDS"); do
  order="base new"
  ((round % 2)) || order="new base"
  for who in $order; do
    addr="unix://$WORK/$who/agent.sock"
    info[$who]+=" $(field "$("$RPC" --agent "$addr" info "$RUNS")" p50_us)"
    before=$(ticks "${PID_OF[$who]}")
    lat[$who]+=" $(field "$("$RPC" --agent "$addr" latency "$RUNS")" p50_us)"
    after=$(ticks "${PID_OF[$who]}")
    # CPU per run, µs: scheduling noise does not move it.
    cpu[$who]+=" $(( (after - before) * 1000000 / $(getconf CLK_TCK) / RUNS ))"
    stream[$who]+=" $(field "$("$RPC" --agent "$addr" stream "$STREAM_MIB")" mb_per_s)"
  done
done
ratio() { echo "scale=2; $1 / $2" | bc; }
row() {  # NAME UNIT BASE_VALUES NEW_VALUES
  local b n
  b=$(median $3); n=$(median $4)
  echo "| $1 | $b $2 | $n $2 | $(ratio "$n" "$b") |"
}
echo "| benchmark (median of $ROUNDS rounds) | base | this tree | this / base |"
echo "|---|---|---|---|"
row "GetInfo round trip p50 (gRPC floor)" µs "${info[base]}" "${info[new]}"
row "noop run round trip p50, journal on disk" µs "${lat[base]}" "${lat[new]}"
row "agent CPU time per noop run" µs "${cpu[base]}" "${cpu[new]}"
row "event streaming, ${STREAM_MIB} MiB of log lines" MB/s "${stream[base]}" "${stream[new]}"
