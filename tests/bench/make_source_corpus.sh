#!/usr/bin/env bash
# Builds a source-tree corpus for the secret-scanning benchmark by copying
# system source trees (headers, Python and Perl libraries, Go's sources and
# module cache when present, documentation) into DIR until it holds at
# least MIB mebibytes. Usage: make_source_corpus.sh DIR [MIB]
set -euo pipefail
dir=$1
want=$((${2:-600} << 20))
mkdir -p "$dir"
size() { du -sb "$dir" | cut -f1; }
sources=(/usr/include /usr/lib/python3 /usr/lib/python3.11 /usr/share/perl
         /usr/local/go/src "$HOME/go/pkg/mod" /usr/share/doc /usr/share/javascript
         /usr/share/gtk-doc /usr/lib/x86_64-linux-gnu/perl)
round=0
while (($(size) < want)); do
  round=$((round + 1))
  copied=0
  for s in "${sources[@]}"; do
    [[ -d $s ]] || continue
    cp -a "$s" "$dir/r$round-$(echo "$s" | tr / _)" 2>/dev/null || true
    copied=1
    (($(size) >= want)) && break
  done
  ((copied)) || { echo "no source trees found" >&2; exit 1; }
done
echo "$dir: $(($(size) >> 20)) MiB in $(find "$dir" -type f | wc -l) files"
