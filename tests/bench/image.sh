#!/usr/bin/env bash
# Image benchmarks: dso against the usual tools on the same data, in the
# same run. Prints a Markdown table for docs/benchmarks.md. Builds first;
# builds (or reuses) a Debian 12 minbase image with debootstrap; installs
# trivy with the Go toolchain when it is missing.
#   tests/bench/image.sh [--cache DIR]   (default DIR: build/test-images)
set -euo pipefail
cd "$(dirname "$0")/../.."
CACHE=$PWD/build/test-images
while (($#)); do
  case "$1" in
    --cache) CACHE=$2; shift 2 ;;
    *) echo "usage: $0 [--cache DIR]" >&2; exit 2 ;;
  esac
done
TRIVY_VERSION=v0.74.0
scripts/build.sh >/dev/null
DSOCTL=$PWD/build/dsoctl/dsoctl
BASE=$(tests/images/debian_base.sh "$CACHE")
ROOTFS=$CACHE/bookworm-rootfs
TRIVY=$(command -v trivy || echo "$(go env GOPATH 2>/dev/null)/bin/trivy")
if [[ ! -x $TRIVY ]]; then
  # trivy uses encoding/json/v2, an experiment in Go 1.26 (about 10 minutes
  # to build on 2 cores).
  GOEXPERIMENT=jsonv2 go install "github.com/aquasecurity/trivy/cmd/trivy@$TRIVY_VERSION" >&2 || true
fi
WORK=$(mktemp -d /var/tmp/dso-image-bench-XXXXXX)
trap 'rm -rf "$WORK"' EXIT

# seconds CMD...: wall seconds of one run into $secs, peak RSS into $kb.
seconds() {
  /usr/bin/time -f "%e %M" -o "$WORK/time" "$@" >"$WORK/out" 2>&1 || true
  read -r secs kb < <(tail -n 1 "$WORK/time")
}
median3() {  # NAME CMD...: median of three runs into $NAME (seconds)
  local name=$1 all=() i; shift
  for i in 1 2 3; do seconds "$@"; all+=("$secs"); done
  printf -v "$name" '%s' "$(printf '%s\n' "${all[@]}" | sort -g | sed -n 2p)"
  printf -v "${name}_kb" '%s' "$kb"
}

# 1. Layer digesting and compression: dso's one pass (tar, diff_id,
# gzip -6, digest) against sha256sum + gzip -6 + sha256sum of the same tar,
# on the Debian tree's /usr (its files, no device nodes).
tar --sort=name --numeric-owner -C "$ROOTFS/usr" -cf "$WORK/usr.tar" .
mb=$(($(stat -c %s "$WORK/usr.tar") / 1000000))
median3 peer bash -c "sha256sum '$WORK/usr.tar' >/dev/null &&
  gzip -6 -n <'$WORK/usr.tar' >'$WORK/usr.tar.gz' &&
  sha256sum '$WORK/usr.tar.gz' >/dev/null"
median3 build bash -c "rm -rf '$WORK/built' && '$DSOCTL' --data-dir '$WORK/emb' \
  build --context '$ROOTFS/usr' --app-dir /usr --out '$WORK/built'"
[[ -f $WORK/built/index.json ]] || { echo "dsoctl build failed" >&2; exit 1; }

# 2. An application image on Debian, scanned end to end.
mkdir -p "$WORK/app"
printf 'AWS = "AKIAQYLPMN5HHHFPZAM2"\n' >"$WORK/app/server.py"
"$DSOCTL" --data-dir "$WORK/emb" build --context "$WORK/app" --base "$BASE" \
  --out "$WORK/img" --tag app:1 --docker-archive "$WORK/img.tar" >/dev/null 2>&1
img_mb=$(($(du -sb "$ROOTFS" | cut -f1) / 1000000))
"$DSOCTL" --data-dir "$WORK/emb" scan --image "$WORK/img" --db "$WORK/nodb" \
  >/dev/null 2>&1 || true  # fills the rule-database cache
median3 scan "$DSOCTL" --data-dir "$WORK/emb" scan --image "$WORK/img" \
  --scanners secrets,deps,image --db "$WORK/nodb" --sbom "$WORK/dso.cdx.json"
dso_pkgs=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['components']))" "$WORK/dso.cdx.json")

echo "| benchmark | dso | peer | ratio / target |"
echo "|---|---|---|---|"
echo "| layer digest + gzip -6 of ${mb} MB (Debian's /usr) | ${build} s (dsoctl build, whole command) | ${peer} s (sha256sum + gzip -6 + sha256sum) | $(echo "scale=0; 100 * $peer / $build" | bc)% of the peer's speed (target ≥ 50%) |"
if [[ -x $TRIVY ]]; then
  # An in-memory cache: trivy would otherwise remember each layer's
  # analysis from the last run and skip the work.
  TRIVY_ARGS=(--cache-backend memory --cache-dir "$WORK/trivy-cache"
    --skip-db-update --skip-java-db-update --skip-check-update --offline-scan
    --disable-telemetry --quiet)
  median3 trivy "$TRIVY" image "${TRIVY_ARGS[@]}" --input "$WORK/img.tar" \
    --scanners secret --format cyclonedx --output "$WORK/trivy.cdx.json"
  [[ -s $WORK/trivy.cdx.json ]] || { echo "trivy failed:" >&2; cat "$WORK/out" >&2; exit 1; }
  trivy_pkgs=$(python3 -c "import json,sys; print(len([c for c in json.load(open(sys.argv[1])).get('components',[]) if c.get('type')=='library']))" "$WORK/trivy.cdx.json" 2>/dev/null || echo "?")
  echo "| scan of a Debian 12 app image (${img_mb} MB unpacked): secrets + package inventory, wall | ${scan} s, ${scan_kb} KiB (target ≤ 5 s) | trivy $TRIVY_VERSION: ${trivy} s, ${trivy_kb} KiB | $(echo "scale=1; $trivy / $scan" | bc)× faster (target ≥ 5×) |"
  echo "| packages found | $dso_pkgs (source packages, de-duplicated) | $trivy_pkgs (binary packages) | |"
else
  echo "| scan of a Debian 12 app image (${img_mb} MB unpacked), wall | ${scan} s, ${scan_kb} KiB (target ≤ 5 s) | trivy could not be installed here | |"
fi
