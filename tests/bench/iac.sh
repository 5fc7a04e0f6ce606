#!/usr/bin/env bash
# The IaC scanner (Dockerfiles so far) against checkov on the same tree of
# Dockerfiles, in the same run: wall time (median of 3 after a warm-up),
# peak memory, and the (checkov id, resource) pairs each reports.
#   tests/bench/iac.sh [--files N]   (default 1000 Dockerfiles)
set -euo pipefail
cd "$(dirname "$0")/../.."
source tests/bench/lib.sh
FILES=1000
while (($#)); do
  case "$1" in
    --files) FILES=$2; shift 2 ;;
    *) echo "usage: $0 [--files N]" >&2; exit 2 ;;
  esac
done
VENV=${DSO_TOOLS_VENV:-$HOME/.cache/dso/venv}
CHECKOV=$VENV/bin/checkov
[[ -x $CHECKOV ]] || scripts/setup.sh >/dev/null
scripts/build.sh >/dev/null
DSOCTL=$PWD/build/dsoctl/dsoctl
WORK=$(mktemp -d /var/tmp/dso-iac-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
[[ -n ${KEEP:-} ]] && trap - EXIT
# Services of a monorepo, each with a Dockerfile of its own: a realistic
# mix of good and bad practice (multi-stage builds, pinned and unpinned
# bases, USER or none, package installs, downloads).
python3 - "$WORK/tree" "$FILES" <<'PY'
import os, random, sys
root, n = sys.argv[1], int(sys.argv[2])
rng = random.Random(26)
bases = ["golang:1.22", "node:20-alpine", "python:3.12-slim", "ubuntu",
         "debian:12", "alpine:latest", "eclipse-temurin:21@sha256:" + "ab" * 32]
for i in range(n):
    d = os.path.join(root, f"svc{i:04d}")
    os.makedirs(d)
    lines = [f"# service {i}"]
    multi = rng.random() < 0.4
    if multi:
        lines += [f"FROM {rng.choice(bases)} AS build", "WORKDIR /src",
                  "COPY . .", "RUN make build"]
    lines.append(f"FROM {rng.choice(bases)}")
    if rng.random() < 0.3:
        lines.append("MAINTAINER team@example.com")
    if rng.random() < 0.5:
        lines.append("RUN apt-get update && apt-get install -y --no-install-recommends \\\n"
                     "    ca-certificates curl \\\n    && rm -rf /var/lib/apt/lists/*")
    elif rng.random() < 0.3:
        lines.append("RUN apt-get update")
    if rng.random() < 0.2:
        lines.append("ADD https://example.com/tool.tgz /opt/")
    if rng.random() < 0.1:
        lines.append("RUN curl -fsSL https://example.com/install.sh | sh")
    lines.append("WORKDIR " + ("/app" if rng.random() < 0.8 else "app"))
    lines.append("COPY --from=build /src/bin /app" if multi else "COPY . /app")
    lines.append("EXPOSE " + rng.choice(["8080", "80 443", "22", "3000"]))
    if rng.random() < 0.6:
        lines.append("USER " + rng.choice(["app", "65532", "root"]))
    if rng.random() < 0.5:
        lines.append('HEALTHCHECK CMD ["/app/health"]')
    lines.append('ENTRYPOINT ["/app/run"]')
    open(os.path.join(d, "Dockerfile"), "w").write("\n".join(lines) + "\n")
PY
run_dso() {
  "$DSOCTL" --data-dir "$WORK/d" scan --path "$WORK/tree" --scanners iac \
    --sarif "$WORK/dso.sarif"
}
run_checkov() {
  "$CHECKOV" -d "$WORK/tree" --framework dockerfile -o json --quiet \
    > "$WORK/checkov.json"
}
run_dso >/dev/null 2>&1 || true
run_checkov 2>/dev/null || true
d=(); c=()
for _ in 1 2 3; do
  d+=("$(seconds run_dso)")
  c+=("$(seconds run_checkov)")
done
# Peak RSS in KiB (checkov exits 1 when a check fails).
peak() { { /usr/bin/time -f %M "$@" 2>&1 >/dev/null || true; } | tail -1; }
dm=$(peak "$DSOCTL" --data-dir "$WORK/d" scan --path "$WORK/tree" --scanners iac)
cm=$(peak "$CHECKOV" -d "$WORK/tree" --framework dockerfile -o json --quiet)
compare=$(python3 - "$WORK/dso.sarif" "$WORK/checkov.json" <<'PY'
import json, sys
sarif = json.load(open(sys.argv[1]))
ours = {(r["properties"]["checkov"], r["properties"]["resource"])
        for r in sarif["runs"][0]["results"] if "checkov" in r["properties"]}
report = json.load(open(sys.argv[2]))
theirs = {(c["check_id"], c["resource"])
          for r in (report if isinstance(report, list) else [report])
          for c in r["results"].get("failed_checks", [])}
only_dso = sorted({k for k, _ in ours - theirs})
only_checkov = sorted({k for k, _ in theirs - ours})
print(f"{len(ours)} | {len(theirs)} | {len(ours & theirs)} in both; "
      f"only dso: {len(ours - theirs)} {only_dso}; "
      f"only checkov: {len(theirs - ours)} {only_checkov}")
PY
)
dmed=$(median "${d[@]}"); cmed=$(median "${c[@]}")
echo "| $FILES Dockerfiles | dso | checkov $("$CHECKOV" --version) | dso speed-up |"
echo "|---|---|---|---|"
printf '| wall time (median of 3) | %.2f s | %.2f s | %sx |\n' "$dmed" "$cmed" \
  "$(echo "scale=1; $cmed / $dmed" | bc)"
echo "| peak memory | $((dm / 1024)) MiB | $((cm / 1024)) MiB | |"
echo "| (check, resource) pairs | $compare | |"
