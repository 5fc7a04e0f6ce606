#!/usr/bin/env bash
# Runs the agent benchmarks and prints a Markdown table (docs/benchmarks.md
# records the output). Builds first. Usage:
#   tests/bench/run.sh [--blob-mib N] [--runs N]
# Scratch space: $BENCH_DIR (default: a new directory under /var/tmp, on
# disk) and /dev/shm for the tmpfs comparison.
set -euo pipefail
cd "$(dirname "$0")/../.."
source tests/bench/lib.sh
BLOB_MIB=1024
RUNS=2000
while (($#)); do
  case "$1" in
    --blob-mib) BLOB_MIB=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    *) echo "usage: $0 [--blob-mib N] [--runs N]" >&2; exit 2 ;;
  esac
done
scripts/build.sh >/dev/null
BIN=build
BENCH_DIR=${BENCH_DIR:-$(mktemp -d /var/tmp/dso-bench-XXXXXX)}
SHM_DIR=$(mktemp -d /dev/shm/dso-bench-XXXXXX)
AGENTS=()
cleanup() {
  for p in "${AGENTS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${AGENTS[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$BENCH_DIR" "$SHM_DIR"
}
trap cleanup EXIT

start_agent() {  # DIR -> sets ADDR (not in a subshell: AGENTS must grow)
  "$BIN/agent/dso-agent" --listen "unix://$1/agent.sock" --data-dir "$1/data" \
    >"$1/agent.log" 2>&1 &
  AGENTS+=($!)
  for _ in $(seq 100); do [[ -S "$1/agent.sock" ]] && break; sleep 0.05; done
  ADDR="unix://$1/agent.sock"
}

start_agent "$BENCH_DIR"; DISK=$ADDR
start_agent "$SHM_DIR"; SHM=$ADDR
RPC="$BIN/tests/bench/dso_rpc_bench"

info=$("$RPC" --agent "$DISK" info "$RUNS")
# Steady state: past the first 1,064 runs the agent prunes as many runs as it
# starts and new runs reuse pruned journals (runtime/journal_pool.h).
"$RPC" --agent "$DISK" latency 1200 >/dev/null
"$RPC" --agent "$SHM" latency 1200 >/dev/null
lat_disk=$("$RPC" --agent "$DISK" latency "$RUNS")
lat_shm=$("$RPC" --agent "$SHM" latency "$RUNS")
attach=$("$RPC" --agent "$DISK" attach "$RUNS")
stream=$("$RPC" --agent "$DISK" stream 1024)

blob="$BENCH_DIR/blob"
head -c "$((BLOB_MIB << 20))" /dev/urandom >"$blob"
digest="sha256:$(sha256sum "$blob" | cut -d' ' -f1)"
DSOCTL=("$BIN/dsoctl/dsoctl" --agent "$DISK")
peer=(); put=(); get=()
for i in 1 2 3; do
  rm -f "$BENCH_DIR/copy" "$BENCH_DIR/out"
  rm -f "$BENCH_DIR/data/store/blobs/sha256/"*
  [[ ! -e "$BENCH_DIR/data/store/blobs/sha256/${digest#sha256:}" ]]
  peer+=("$(seconds sh -c "cp '$blob' '$BENCH_DIR/copy' && sha256sum '$BENCH_DIR/copy'")")
  put+=("$(seconds "${DSOCTL[@]}" store put "$blob")")
  get+=("$(seconds "${DSOCTL[@]}" store get "$digest" "$BENCH_DIR/out")")
  cmp -s "$blob" "$BENCH_DIR/out" || { echo "get returned other bytes" >&2; exit 1; }
done
p=$(median "${peer[@]}"); u=$(median "${put[@]}"); g=$(median "${get[@]}")
pct() { echo "scale=0; 100 * $1 / $2" | bc; }

echo "| benchmark | result | target |"
echo "|---|---|---|"
echo "| unary GetInfo round trip (gRPC floor), Unix socket | p50 $(field "$info" p50_us) µs, p99 $(field "$info" p99_us) µs | — |"
echo "| Attach to a finished run, both its events streamed back (streaming floor) | p50 $(field "$attach" p50_us) µs, p99 $(field "$attach" p99_us) µs | — |"
echo "| noop run round trip, journal on disk ($(df -T "$BENCH_DIR" | awk 'NR==2{print $2}')) | p50 $(field "$lat_disk" p50_us) µs, p99 $(field "$lat_disk" p99_us) µs | p50 ≤ 300 µs |"
echo "| noop run round trip, journal on tmpfs | p50 $(field "$lat_shm" p50_us) µs, p99 $(field "$lat_shm" p99_us) µs | p50 ≤ 300 µs |"
echo "| event streaming, 1 GiB of 128-byte log lines to one client | $(field "$stream" mb_per_s) MB/s | ≥ 100 MB/s |"
echo "| artifact put, ${BLOB_MIB} MiB | ${u} s = $(pct "$p" "$u")% of cp + sha256sum (${p} s) | ≥ 50% |"
echo "| artifact get, ${BLOB_MIB} MiB | ${g} s = $(pct "$p" "$g")% of cp + sha256sum (${p} s) | ≥ 50% |"
