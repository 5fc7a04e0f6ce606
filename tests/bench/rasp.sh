#!/usr/bin/env bash
# RASP overhead: a syscall-heavy workload (file opens for writing, TCP
# connects on loopback — the calls the monitor checks) and the demo
# service's request latency, each plainly and under dso-run in monitor and
# block mode, in the same run. Prints a Markdown table for
# docs/benchmarks.md. Builds first. Each workload runs 7 times per mode,
# the modes interleaved; the medians are compared.
#   tests/bench/rasp.sh [--rounds N] [--requests N]   (defaults 50000, 3000)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=50000
REQUESTS=3000
while (($#)); do
  case "$1" in
    --rounds) ROUNDS=$2; shift 2 ;;
    --requests) REQUESTS=$2; shift 2 ;;
    *) echo "usage: $0 [--rounds N] [--requests N]" >&2; exit 2 ;;
  esac
done
scripts/build.sh >/dev/null
BENCH=$PWD/build/tests/bench/dso_rasp_bench
DSO_RUN=$PWD/build/stages/rasp/dso-run
APP=$PWD/pipelines/demo/app
WORK=$(mktemp -d /var/tmp/dso-rasp-bench-XXXXXX)
SERVICE=
cleanup() {
  [[ -n $SERVICE ]] && kill "$SERVICE" 2>/dev/null
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
mkdir -p "$WORK/data"
SHM=$(mktemp -d /dev/shm/dso-rasp-bench-XXXXXX)  # the same on tmpfs
trap 'cleanup; rm -rf "$SHM"' EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
policy() {  # MODE PORT: a policy whose every section is checked
  cat >"$WORK/$1.yaml" <<YAML
mode: $1
allow_root: true
exec: [$BENCH, /usr/bin/python3]
network:
  connect: ["127.0.0.0/8:*"]
files:
  writable: [$WORK/data, $SHM]
YAML
}
policy monitor
policy block
RUNS=7
middle() { tr ' ' '\n' | sort -n | sed -n "$(((RUNS + 1) / 2))p"; }
run_as() {  # plain|again|monitor|block CMD...  (again: plain, a 2nd series)
  local how=$1; shift
  if [[ $how == plain || $how == again ]]; then "$@"; else
    "$DSO_RUN" --policy "$WORK/$how.yaml" --events "$WORK/events.jsonl" -- "$@"
  fi
}
pct() { python3 -c "import sys; a,b=map(float,sys.argv[1:]); print(f'{(b/a-1)*100:+.1f}%')" "$1" "$2"; }

# "plain again" is a second plain series: its difference from the first is
# the noise of this machine, against which the modes' differences read.
echo "| workload | plain | plain again (noise) | monitor mode | block mode | target |"
echo "|---|---|---|---|---|---|"
for w in files shm connect; do
  n=$ROUNDS; [[ $w == shm ]] && n=$((ROUNDS * 10))  # ~as long as on disk
  args=("$w" "$n")
  [[ $w == files ]] && args+=("$WORK/data")
  [[ $w == shm ]] && args=(files "$n" "$SHM")
  # Interleaved, so that drift in the machine's speed hits all three.
  declare -A all=([plain]="" [again]="" [monitor]="" [block]="")
  for _ in $(seq $RUNS); do
    for how in plain monitor again block; do
      all[$how]+="$(run_as $how "$BENCH" "${args[@]}" 2>/dev/null | tail -n 1) "
    done
  done
  p=$(middle <<<"${all[plain]}"); m=$(middle <<<"${all[monitor]}")
  b=$(middle <<<"${all[block]}"); a=$(middle <<<"${all[again]}")
  label="$n file rounds on disk (open for writing + read)"
  [[ $w == shm ]] && label="$n file rounds on tmpfs"
  [[ $w == connect ]] && label="$n loopback TCP connects"
  echo "| $label | ${p} s | ${a} s ($(pct "$p" "$a")) | ${m} s ($(pct "$p" "$m")) | ${b} s ($(pct "$p" "$b")) | monitor ≤ +5% |"
done

# The demo service: median request latency of sequential GETs.
latency() {  # plain|monitor|block: median latency in ms
  local port; port=$(free_port)
  (cd "$APP" && PORT=$port run_as "$1" /usr/bin/python3 greeter.py serve \
    >/dev/null 2>&1) &
  SERVICE=$!
  python3 - "$port" "$REQUESTS" <<'PY'
import http.client, socket, statistics, sys, time
port, n = int(sys.argv[1]), int(sys.argv[2])
for _ in range(200):
    try:
        socket.create_connection(("127.0.0.1", port), 0.1).close(); break
    except OSError:
        time.sleep(0.05)
times = []
for i in range(n):
    t = time.perf_counter()
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    c.request("GET", "/hello?name=bench"); c.getresponse().read(); c.close()
    times.append(time.perf_counter() - t)
print(f"{statistics.median(times) * 1000:.3f}")
PY
  pkill -TERM -P "$SERVICE" 2>/dev/null || true
  kill "$SERVICE" 2>/dev/null || true
  wait "$SERVICE" 2>/dev/null || true
  SERVICE=
}
declare -A lat=([plain]="" [again]="" [monitor]="" [block]="")
for _ in 1 2 3; do  # interleaved, as above
  for how in plain monitor again block; do lat[$how]+="$(latency $how) "; done
done
RUNS=3
lp=$(middle <<<"${lat[plain]}"); lm=$(middle <<<"${lat[monitor]}")
lb=$(middle <<<"${lat[block]}"); la=$(middle <<<"${lat[again]}")
echo "| demo service, median latency of $REQUESTS sequential requests (median of 3 runs) | ${lp} ms | ${la} ms ($(pct "$lp" "$la")) | ${lm} ms ($(pct "$lp" "$lm")) | ${lb} ms ($(pct "$lp" "$lb")) | monitor ≤ +5% |"
