#!/usr/bin/env python3
"""Sorts the versions of the file given (one per line) with `dpkg
--compare-versions` and prints them ascending, one class of equal versions
per line (tab-separated), after a header naming the tool."""
import functools
import subprocess
import sys


def compare(a, b):
    for op, result in (("lt", -1), ("eq", 0)):
        if subprocess.run(["dpkg", "--compare-versions", a, op, b]).returncode == 0:
            return result
    return 1


versions = [v for v in (l.rstrip("\n") for l in open(sys.argv[1]))
            if v and not v.startswith("#")]
versions.sort(key=functools.cmp_to_key(compare))
dpkg = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "dpkg"],
                      capture_output=True, text=True).stdout
print(f"# dpkg {dpkg}: --compare-versions order, ascending; a line holds "
      "versions that compare equal (tab-separated)")
line = []
for v in versions:
    if line and compare(line[-1], v) != 0:
        print("\t".join(line))
        line = []
    line.append(v)
if line:
    print("\t".join(line))
