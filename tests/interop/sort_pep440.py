#!/usr/bin/env python3
"""Sorts the versions of the file given (one per line) with the packaging
library's Version (PEP 440) and prints them ascending, one class of equal
versions per line (tab-separated), after a header naming the tool. Versions
packaging refuses are left out and listed on stderr."""
import sys

import packaging
from packaging.version import InvalidVersion, Version

versions = []
for line in open(sys.argv[1]):
    v = line.rstrip("\n")
    if not v or v.startswith("#"):
        continue
    try:
        versions.append((Version(v), v))
    except InvalidVersion:
        print(f"not PEP 440: {v}", file=sys.stderr)
versions.sort(key=lambda p: p[0])
print(f"# packaging {packaging.__version__}: Version order, ascending; a line "
      "holds versions that compare equal (tab-separated)")
line, last = [], None
for parsed, text in versions:
    if last is not None and parsed != last:
        print("\t".join(line))
        line = []
    line.append(text)
    last = parsed
if line:
    print("\t".join(line))
