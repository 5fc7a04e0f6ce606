#!/usr/bin/env bash
# Secret scanning of a git history of small edits (most projects'), dso
# against gitleaks in the same run: tests/bench/make_git_edits.py's
# repository (or a clone of any repository), three runs each, medians, with
# the findings compared.
#   tests/bench/history.sh [--commits N | --repo DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
source tests/bench/lib.sh
COMMITS=5000
FROM=
while (($#)); do
  case "$1" in
    --commits) COMMITS=$2; shift 2 ;;
    --repo) FROM=$(realpath "$2"); shift 2 ;;
    *) echo "usage: $0 [--commits N | --repo DIR]" >&2; exit 2 ;;
  esac
done
GITLEAKS_VERSION=v8.30.1
# The same rules in both: gitleaks' own default config.
CONFIG=$PWD/tests/fixtures/gitleaks/gitleaks.toml
scripts/build.sh >/dev/null
DSOCTL=$PWD/build/dsoctl/dsoctl
find_gitleaks
WORK=$(mktemp -d /var/tmp/dso-history-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
if [[ -n $FROM ]]; then
  git clone -q --no-local --mirror "$FROM" "$WORK/repo"
  title="history of $(basename "$FROM") ($(git -C "$WORK/repo" rev-list --all | wc -l) commits)"
else
  tests/bench/make_git_edits.py "$WORK/repo" "$COMMITS"
  title="history of $COMMITS small edits"
fi
dso=(); gl=()
"$DSOCTL" --data-dir "$WORK/emb" scan --scanners secrets --path "$WORK/repo" --git --config "$CONFIG" >/dev/null 2>&1 || true
for _ in 1 2 3; do
  dso+=("$(seconds "$DSOCTL" --data-dir "$WORK/emb" scan --scanners secrets --path "$WORK/repo" --git --config "$CONFIG")")
  gl+=("$(seconds "$GITLEAKS" git "$WORK/repo" --no-banner --redact -c "$CONFIG" -r "$WORK/gl.json")")
done
d=$(median "${dso[@]}"); g=$(median "${gl[@]}")
"$DSOCTL" --data-dir "$WORK/emb" scan --scanners secrets --path "$WORK/repo" --git \
  --config "$CONFIG" --format gitleaks --report "$WORK/dso.json" >/dev/null 2>&1 || true
# Findings as (commit, file, line, rule), compared as sets.
same=$(python3 - "$WORK/dso.json" "$WORK/gl.json" <<'PY'
import json, sys
key = lambda f: (f["Commit"], f["File"], f["StartLine"], f["RuleID"])
a, b = (set(map(key, json.load(open(p)))) for p in sys.argv[1:])
print("same" if a == b else f"{len(a - b)} only dso, {len(b - a)} only gitleaks")
PY
)
df=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))))" "$WORK/dso.json")
gf=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))))" "$WORK/gl.json")
echo "| $title | dso | gitleaks $GITLEAKS_VERSION | dso speed-up |"
echo "|---|---|---|---|"
printf '| wall time (median of 3) | %.2f s | %.2f s | %sx |\n' "$d" "$g" "$(echo "scale=1; $g / $d" | bc)"
echo "| findings | $df | $gf | $same |"
