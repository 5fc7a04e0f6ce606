#!/usr/bin/env bash
# Secret scanning of a git history of small edits (most projects'), dso
# against gitleaks in the same run: tests/bench/make_git_edits.py's
# repository, three runs each, medians, with the findings compared.
#   tests/bench/history.sh [--commits N]
set -euo pipefail
cd "$(dirname "$0")/../.."
source tests/bench/lib.sh
COMMITS=5000
while (($#)); do
  case "$1" in
    --commits) COMMITS=$2; shift 2 ;;
    *) echo "usage: $0 [--commits N]" >&2; exit 2 ;;
  esac
done
GITLEAKS_VERSION=v8.30.1
scripts/build.sh >/dev/null
DSOCTL=$PWD/build/agent/dsoctl/dsoctl
GITLEAKS=$(command -v gitleaks || echo "$(go env GOPATH 2>/dev/null)/bin/gitleaks")
[[ -x $GITLEAKS ]] || go install "github.com/zricethezav/gitleaks/v8@$GITLEAKS_VERSION" >&2
WORK=$(mktemp -d /var/tmp/dso-history-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
tests/bench/make_git_edits.py "$WORK/repo" "$COMMITS"
dso=(); gl=()
"$DSOCTL" --data-dir "$WORK/emb" scan --scanners secrets --path "$WORK/repo" --git >/dev/null 2>&1 || true
for _ in 1 2 3; do
  dso+=("$(seconds "$DSOCTL" --data-dir "$WORK/emb" scan --scanners secrets --path "$WORK/repo" --git)")
  gl+=("$(seconds "$GITLEAKS" git "$WORK/repo" --no-banner --redact -r "$WORK/gl.json")")
done
d=$(median "${dso[@]}"); g=$(median "${gl[@]}")
"$DSOCTL" --data-dir "$WORK/emb" --json "$WORK/dso.json" scan --scanners secrets \
  --path "$WORK/repo" --git >/dev/null 2>&1 || true
df=$(python3 -c "import json,sys; print(sum(json.load(open(sys.argv[1]))['counts'].values()))" "$WORK/dso.json")
gf=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))))" "$WORK/gl.json")
echo "| history of $COMMITS small edits | dso | gitleaks $GITLEAKS_VERSION | dso speed-up |"
echo "|---|---|---|---|"
printf '| wall time (median of 3) | %.2f s | %.2f s | %sx |\n' "$d" "$g" "$(echo "scale=1; $g / $d" | bc)"
echo "| findings | $df | $gf | |"
