#!/usr/bin/env bash
# Builds (once, then reuses) a real minimal Debian 12 image for tests and
# benchmarks: debootstrap --variant=minbase into CACHE/bookworm-rootfs, then
# an OCI layout CACHE/bookworm-oci (tag "bookworm"). Needs root and
# Debian's package mirror. Prints the layout's path.
#   tests/images/debian_base.sh CACHE_DIR
set -euo pipefail
cache=${1:?usage: $0 CACHE_DIR}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$cache"
rootfs=$cache/bookworm-rootfs
layout=$cache/bookworm-oci
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
if [[ ! -f $rootfs.complete ]]; then
  rm -rf "$rootfs" "$layout"
  debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$cache/debootstrap.log" 2>&1 \
    || { echo "debootstrap failed; see $cache/debootstrap.log" >&2; exit 1; }
  touch "$rootfs.complete"
fi
if [[ ! -f $layout/index.json ]]; then
  rm -rf "$layout"
  python3 "$here/rootfs_to_oci.py" "$rootfs" "$layout" bookworm
fi
echo "$layout"
