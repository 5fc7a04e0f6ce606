#!/usr/bin/env bash
# Secret-scanning benchmark: dso against gitleaks on the same source tree
# with the same config (gitleaks' own default), in the same run. Prints a
# Markdown table for docs/benchmarks.md. Builds first; installs gitleaks
# with the Go toolchain when it is missing.
#   tests/bench/secrets.sh [--corpus-mib N] [--corpus DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
source tests/bench/lib.sh
MIB=600
CORPUS=""
while (($#)); do
  case "$1" in
    --corpus-mib) MIB=$2; shift 2 ;;
    --corpus) CORPUS=$2; shift 2 ;;
    *) echo "usage: $0 [--corpus-mib N] [--corpus DIR]" >&2; exit 2 ;;
  esac
done
GITLEAKS_VERSION=v8.30.1
scripts/build.sh >/dev/null
DSOCTL=$PWD/build/dsoctl/dsoctl
CONFIG=$PWD/tests/fixtures/gitleaks/gitleaks.toml
find_gitleaks
WORK=$(mktemp -d /var/tmp/dso-secrets-bench-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
if [[ -z $CORPUS ]]; then
  CORPUS=$WORK/corpus
  tests/bench/make_source_corpus.sh "$CORPUS" "$MIB" >&2
fi
bytes=$(du -sb "$CORPUS" | cut -f1)
find "$CORPUS" -type f -print0 | xargs -0 cat >/dev/null 2>&1 || true  # warm the cache

# run NAME CMD...: wall seconds and peak RSS (KiB) into $NAME_s / $NAME_kb.
run() {
  local name=$1; shift
  /usr/bin/time -f "%e %M" -o "$WORK/$name.time" "$@" >"$WORK/$name.out" 2>&1 || true
  # (time prints "Command exited with non-zero status N" first when it did)
  read -r s kb < <(tail -n 1 "$WORK/$name.time")
  printf -v "${name}_s" '%s' "$s"
  printf -v "${name}_kb" '%s' "$kb"
}
# dso's runs are short: each is the median of three (this VM's timings
# drift); the first run also fills the rule-database cache.
median3() {
  local name=$1 i; shift
  local times=() kbs=()
  for i in 1 2 3; do
    run "$name" "$@"
    local s_var="${name}_s" kb_var="${name}_kb"
    times+=("${!s_var}"); kbs+=("${!kb_var}")
  done
  printf -v "${name}_s" '%s' "$(printf '%s\n' "${times[@]}" | sort -g | sed -n 2p)"
  printf -v "${name}_kb" '%s' "$(printf '%s\n' "${kbs[@]}" | sort -g | tail -n 1)"
}
median3 dso "$DSOCTL" --data-dir "$WORK/emb" scan --scanners secrets --path "$CORPUS" --config "$CONFIG" \
  --format gitleaks --report "$WORK/dso.json"
median3 dso1 "$DSOCTL" --data-dir "$WORK/emb" scan --scanners secrets --threads 1 --path "$CORPUS" \
  --config "$CONFIG"
median3 noscan "$DSOCTL" --data-dir "$WORK/emb" scan --scanners secrets --path "$WORK/emb" --config "$CONFIG"
# The same through an agent on this machine (reading the tree in place), as
# a build node runs it: after one scan, later ones find the rules compiled.
mkdir -p "$WORK/agent"
printf 'allowed_roots: ["%s", "%s"]\n' "$CORPUS" "$WORK/emb" >"$WORK/agent/config.yaml"
"$PWD/build/agent/dso-agent" --config "$WORK/agent/config.yaml" \
  --listen "unix://$WORK/agent/sock" --data-dir "$WORK/agent/data" \
  >"$WORK/agent/log" 2>&1 &
AGENT_PID=$!
trap 'kill $AGENT_PID 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 100); do [[ -S $WORK/agent/sock ]] && break; sleep 0.05; done
AGENT=("$DSOCTL" --agent "unix://$WORK/agent/sock")
"${AGENT[@]}" scan --scanners secrets --threads 1 --path "$CORPUS" --config "$CONFIG" >/dev/null 2>&1 || true
median3 agent1 "${AGENT[@]}" scan --scanners secrets --threads 1 --path "$CORPUS" --config "$CONFIG"
median3 agentnoscan "${AGENT[@]}" scan --scanners secrets --path "$WORK/emb" --config "$CONFIG"
kill $AGENT_PID 2>/dev/null || true
# Memory with one large file: the corpus's text concatenated to 2 GiB.
mkdir -p "$WORK/big"
while (($(stat -c %s "$WORK/big/all.txt" 2>/dev/null || echo 0) < (2 << 30))); do
  find "$CORPUS" -name '*.h' -print0 | head -z -n 2000 | xargs -0 cat \
    >>"$WORK/big/all.txt" || true
done
big_mib=$(($(stat -c %s "$WORK/big/all.txt") >> 20))
run big "$DSOCTL" --data-dir "$WORK/emb" scan --scanners secrets --path "$WORK/big" --config "$CONFIG"
# A git history of 10,000 commits built from system sources.
tests/bench/make_git_history.py "$WORK/repo" 10000 /usr/include
run git "$DSOCTL" --data-dir "$WORK/emb" scan --scanners secrets --path "$WORK/repo" --git \
  --config "$CONFIG" --format gitleaks --report "$WORK/dso-git.json"
run glgit "$GITLEAKS" git "$WORK/repo" --no-banner --redact -c "$CONFIG" \
  -r "$WORK/gl-git.json"
git_size=$(git -C "$WORK/repo" log -p --all | wc -c)

# The labeled corpus: recall and precision of both on planted secrets.
tests/fixtures/secrets/make_corpus.py "$WORK/labeled"
"$DSOCTL" --data-dir "$WORK/emb" scan --scanners secrets --path "$WORK/labeled" --format gitleaks \
  --report "$WORK/dso-labeled.json" >/dev/null 2>&1 || true
"$DSOCTL" --data-dir "$WORK/emb" scan --scanners secrets --path "$WORK/labeled" --config "$CONFIG" \
  --format gitleaks --report "$WORK/dso-gl-labeled.json" >/dev/null 2>&1 || true
"$GITLEAKS" dir "$WORK/labeled" --no-banner --redact -c "$CONFIG" \
  -r "$WORK/gl-labeled.json" >/dev/null 2>&1 || true
score() {
  tests/fixtures/secrets/score.py --line "$WORK/labeled/labels.json" "$1" "$WORK/labeled/"
}

run gl "$GITLEAKS" dir "$CORPUS" --no-banner --redact -c "$CONFIG" -r "$WORK/gl.json"

mb=$(echo "scale=1; $bytes / 1000000" | bc)
ratio=$(echo "scale=1; $gl_s / $dso_s" | bc)
# Per core: one thread, minus the start-up (rule compilation) an empty scan takes.
per_core=$(echo "scale=0; $bytes / 1000000 / ($dso1_s - $noscan_s)" | bc)
per_core_agent=$(echo "scale=0; $bytes / 1000000 / ($agent1_s - $agentnoscan_s)" | bc)
rm -rf "$WORK/big"
diff=$(python3 - "$WORK/dso.json" "$WORK/gl.json" "$CORPUS/" <<'PY'
import collections, json, sys
dso = {f["Fingerprint"] for f in json.load(open(sys.argv[1]))}
gl = {}
for f in json.load(open(sys.argv[2])):
    gl[f["Fingerprint"].replace(sys.argv[3], "")] = f
def why(f):
    if any(t.startswith("decoded:") for t in f["Tags"]): return "decoded content"
    if f["File"].endswith(".pyc"): return "binary file"
    return f["RuleID"]
only_gl = collections.Counter(why(f) for k, f in gl.items() if k not in dso)
print(f"{len(dso & gl.keys())} in both; dso only {len(dso - gl.keys())}; "
      f"gitleaks only {len(gl.keys() - dso)} "
      f"({', '.join(f'{k}: {v}' for k, v in only_gl.most_common())})")
PY
)
echo "| benchmark | dso | gitleaks $GITLEAKS_VERSION | ratio / target |"
echo "|---|---|---|---|"
echo "| source tree, $mb MB, $(find "$CORPUS" -type f | wc -l) files, wall | ${dso_s} s (2 threads, median of 3) | ${gl_s} s | ${ratio}× faster (target ≥ 20×) |"
echo "| throughput per core, dsoctl embedded (1 thread, start-up of ${noscan_s} s excluded) | ${per_core} MB/s | $(echo "scale=1; $bytes / 1000000 / $gl_s" | bc) MB/s (all cores) | target ≥ 500 MB/s |"
echo "| throughput per core, through an agent, not its first scan (1 thread, start-up of ${agentnoscan_s} s excluded) | ${per_core_agent} MB/s | | target ≥ 500 MB/s |"
echo "| peak memory, source tree | $((dso_kb / 1024)) MiB | $((gl_kb / 1024)) MiB | target ≤ 256 MiB |"
echo "| peak memory, one file of $big_mib MiB | $((big_kb / 1024)) MiB (${big_s} s) | — | target ≤ 256 MiB |"
echo "| findings | $diff | | |"
echo "| git history, 10,000 commits ($((git_size >> 20)) MiB of patches), wall | ${git_s} s, $((git_kb / 1024)) MiB | ${glgit_s} s, $((glgit_kb / 1024)) MiB | $(echo "scale=1; $glgit_s / $git_s" | bc)× faster |"
echo "| git history findings | $(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$WORK/dso-git.json") | $(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$WORK/gl-git.json") | |"
echo "| labeled corpus, dso's rules | $(score "$WORK/dso-labeled.json") | $(score "$WORK/gl-labeled.json") | ≥ gitleaks |"
echo "| labeled corpus, gitleaks' config in dso | $(score "$WORK/dso-gl-labeled.json") | (same config) | same engine results |"
