#!/usr/bin/env python3
"""Builds a git repository whose history is small edits, as most projects'
is: 200 Python files of 100 functions, then COMMITS commits each changing
one line in each of two files (git fast-import); every 500th edit adds an
AWS access key id, so that the findings can be compared. The history
benchmark's hard case: every commit holds new blobs, and only a line of
each is new. The repository is packed at the end as a clone receives it
(git repack -adf: newer versions whole, older ones as deltas of them;
fast-import's own pack is the other way round).

usage: make_git_edits.py REPO [COMMITS]"""
import random
import subprocess
import sys


def main():
    repo = sys.argv[1]
    commits = int(sys.argv[2]) if len(sys.argv) > 2 else 5000
    rng = random.Random(7)
    subprocess.run(["git", "init", "-q", repo], check=True)
    fi = subprocess.Popen(["git", "-C", repo, "fast-import", "--quiet"],
                          stdin=subprocess.PIPE)
    out = fi.stdin
    files = {f"src/mod{i:03d}.py": [f"def f{i}_{j}(x):  # line {j}\n"
                                    f"    return x * {j}\n"
                                    for j in range(100)]
             for i in range(200)}

    def data(b):
        out.write(b"data %d\n" % len(b))
        out.write(b)
    for c in range(commits):
        out.write(b"commit refs/heads/main\n")
        out.write(b"committer dev <dev@example.com> %d +0000\n"
                  % (1700000000 + c))
        data(b"change %d\n" % c)
        touched = list(files) if c == 0 else rng.sample(sorted(files), 2)
        for path in touched:
            lines = files[path]
            if c:
                k = rng.randrange(len(lines))
                lines[k] = (f"def g{c}_{k}(x):  # edited in {c}\n"
                            f"    return x + {rng.randrange(1000)}\n")
                if c % 500 == 0 and path == touched[0]:
                    key = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
                                  for _ in range(16))
                    lines[k] += f'AWS_KEY_{c} = "AKIA{key}"\n'

            out.write(b"M 100644 inline %s\n" % path.encode())
            data("".join(lines).encode())
        out.write(b"\n")
    out.close()
    if fi.wait() != 0:
        sys.exit("git fast-import failed")
    subprocess.run(["git", "-C", repo, "repack", "-adfq"], check=True)


if __name__ == "__main__":
    main()
