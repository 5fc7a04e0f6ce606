#!/usr/bin/env python3
"""Builds a git repository with a long history for the secret-scanning
benchmark: COMMITS commits, each adding or changing a few real source files
taken from SOURCE (default: /usr/include), written with git fast-import.

usage: make_git_history.py REPO [COMMITS] [SOURCE]"""
import os
import subprocess
import sys


def source_files(root):
    for dirpath, _, names in os.walk(root):
        for n in sorted(names):
            p = os.path.join(dirpath, n)
            if os.path.isfile(p) and not os.path.islink(p):
                yield p


def main():
    repo = sys.argv[1]
    commits = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
    source = sys.argv[3] if len(sys.argv) > 3 else "/usr/include"
    subprocess.run(["git", "init", "-q", repo], check=True)
    fi = subprocess.Popen(["git", "-C", repo, "fast-import", "--quiet"],
                          stdin=subprocess.PIPE)
    out = fi.stdin
    files = source_files(source)
    added = []
    for i in range(commits):
        changes = []
        for _ in range(3):  # three new files per commit
            try:
                src = next(files)
            except StopIteration:
                files = source_files(source)
                src = next(files)
            with open(src, "rb") as f:
                data = f.read(256 << 10)
            path = f"src/{i % 97}/{os.path.relpath(src, source)}"
            changes.append((path, data))
            added.append(path)
        if added and i % 2:  # and a change to an earlier one
            path = added[(i * 7919) % len(added)]
            changes.append((path, f"/* revision {i} */\n".encode() * 3))
        msg = f"commit {i}: import {changes[0][0]}\n".encode()
        out.write(b"commit refs/heads/main\n")
        out.write(f"committer Bench <bench@example.org> {1700000000 + i * 60} +0000\n".encode())
        out.write(b"data %d\n%s\n" % (len(msg), msg))
        for path, data in changes:
            out.write(f"M 100644 inline {path}\n".encode())
            out.write(b"data %d\n%s\n" % (len(data), data))
    out.close()
    if fi.wait() != 0:
        sys.exit("git fast-import failed")
    subprocess.run(["git", "-C", repo, "checkout", "-q", "main"], check=True)
    count = subprocess.run(["git", "-C", repo, "rev-list", "--count", "HEAD"],
                           check=True, capture_output=True, text=True).stdout
    print(f"{repo}: {count.strip()} commits", file=sys.stderr)


if __name__ == "__main__":
    main()
