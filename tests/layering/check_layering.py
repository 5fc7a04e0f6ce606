#!/usr/bin/env python3
"""Checks every #include of dso's sources against docs/architecture.md.

The document's "Layers" table says which folders each folder may include;
its "Layering debts" table lists the single includes that break that rule
today, each with its reason. Any other include across folders fails, naming
the file, the line and the rule; so does a debt that no longer exists (the
table must shrink as the code is fixed). A header under a folder named
`internal` is private to the folder that holds that `internal/`: only files
beneath it may include it (tests/, not checked here, may). Run by ctest as `layering`:

    tests/layering/check_layering.py [REPO]
    tests/layering/check_layering.py --self-test   (ctest layering_self_test)
"""
import os
import re
import sys

SOURCE_ROOTS = ("stages", "runtime", "agent", "dsoctl", "proto")


def table_rows(text, heading):
    """The rows of the first Markdown table after `heading`, as cells."""
    lines = text.splitlines()
    try:
        start = next(i for i, l in enumerate(lines) if l.strip() == heading)
    except StopIteration:
        sys.exit(f"layering: docs/architecture.md has no '{heading}'")
    rows, seen_table = [], False
    for line in lines[start + 1:]:
        if line.startswith("|"):
            seen_table = True
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if set("".join(cells)) <= set("-: "):
                continue  # the separator
            rows.append(cells)
        elif seen_table:
            break
    return rows[1:]  # without the header


def code_names(cell):
    """The `backquoted` names in a cell."""
    return re.findall(r"`([^`]+)`", cell)


def self_test():
    """The checker on a small tree: clean, then each kind of problem."""
    import subprocess
    import tempfile
    doc = ("## Layers\n\n| folder | layer | owns | may include |\n"
           "|---|---|---|---|\n| `stages/core` | 1 | x | |\n"
           "| `stages/a` | 3 | x | `stages/core` |\n"
           "| `stages/b` | 3 | x | `stages/core` |\n\n"
           "## Layering debts\n\n| file | includes | why |\n|---|---|---|\n"
           "%s\n")
    cases = [  # (files, debts, expected exit status, expected words)
        ({"stages/a/x.cc": '#include "stages/core/c.h"\n'}, "", 0, "no other"),
        ({"stages/a/x.cc": '#include "stages/b/y.h"\n'}, "", 1,
         "stages/a/x.cc:1: includes stages/b/y.h"),
        ({"stages/a/x.cc": '#include "stages/b/y.h"\n'},
         "| `stages/a/x.cc` | `stages/b/y.h` | why |", 0, "1 known debts"),
        ({"stages/a/x.cc": ""}, "| `stages/a/x.cc` | `stages/b/y.h` | why |",
         1, "no longer includes"),
        ({"stages/core/c.cc": '#include "stages/a/x.h"\n'}, "", 1,
         "`stages/core` may include only nothing"),
        ({"stages/z/q.cc": ""}, "", 1, "the Layers table does not name"),
        ({"stages/a/x.cc": '#include "stages/core/internal/p.h"\n'}, "", 1,
         "private to stages/core"),
        ({"stages/core/c.cc": '#include "stages/core/internal/p.h"\n',
          "stages/core/internal/p.cc": '#include "stages/core/internal/p.h"\n'},
         "", 0, "no other"),
    ]
    for files, debts, want, words in cases:
        with tempfile.TemporaryDirectory() as repo:
            os.makedirs(os.path.join(repo, "docs"))
            with open(os.path.join(repo, "docs", "architecture.md"), "w") as f:
                f.write(doc % debts)
            for path, text in files.items():
                os.makedirs(os.path.join(repo, os.path.dirname(path)),
                            exist_ok=True)
                with open(os.path.join(repo, path), "w") as f:
                    f.write(text)
            p = subprocess.run([sys.executable, __file__, repo],
                               capture_output=True, text=True)
            if p.returncode != want or words not in p.stdout:
                print(f"self-test failed for {files}, {debts!r}: "
                      f"exit {p.returncode}, output:\n{p.stdout}")
                return 1
    print(f"layering self-test: {len(cases)} cases passed")
    return 0


def main():
    if sys.argv[1:] == ["--self-test"]:
        return self_test()
    repo = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..")
    doc = open(os.path.join(repo, "docs", "architecture.md")).read()
    allowed = {}
    for row in table_rows(doc, "## Layers"):
        folders = code_names(row[0])
        if len(folders) != 1 or len(row) < 4:
            sys.exit(f"layering: a malformed Layers row: {row}")
        allowed[folders[0]] = set(code_names(row[3]))
    debts = set()
    for row in table_rows(doc, "## Layering debts"):
        names = code_names(row[0]) + code_names(row[1])
        if len(names) != 2:
            sys.exit(f"layering: a malformed debt row: {row}")
        debts.add((names[0], names[1]))

    def folder_of(path):
        best = None
        for f in allowed:
            if (path == f or path.startswith(f + "/")) and (
                    best is None or len(f) > len(best)):
                best = f
        return best

    problems, used_debts, unknown = [], set(), set()
    for root in SOURCE_ROOTS:
        for dirpath, dirnames, files in os.walk(os.path.join(repo, root)):
            dirnames[:] = [d for d in dirnames if not d.startswith(".")]
            for name in sorted(files):
                if not name.endswith((".h", ".cc", ".proto")):
                    continue
                path = os.path.relpath(os.path.join(dirpath, name), repo)
                src = folder_of(path)
                if src is None:
                    unknown.add(os.path.dirname(path))
                    continue
                test = name.endswith("_test.cc")
                for n, line in enumerate(open(os.path.join(repo, path),
                                              errors="replace"), 1):
                    m = re.match(r'\s*#include "([^"]+)"', line) or \
                        re.match(r'\s*import "([^"]+)"', line)
                    if not m:
                        continue
                    inc = m.group(1)
                    if inc.startswith("dso/v1/"):
                        inc = "proto/" + inc  # generated from proto/dso/v1
                    if "/internal/" in inc and folder_of(inc):
                        owner = inc[:inc.index("/internal/")]
                        if not path.startswith(owner + "/"):
                            problems.append(
                                f"{path}:{n}: includes {inc}, which is "
                                f"private to {owner}")
                        continue
                    dst = folder_of(inc)
                    if dst is None or dst == src or dst in allowed[src]:
                        continue
                    if (path, inc) in debts:
                        used_debts.add((path, inc))
                        continue
                    if test and dst == "stages/core":
                        continue  # test helpers (fake_step_context.h)
                    problems.append(
                        f"{path}:{n}: includes {inc}: `{src}` may include "
                        f"only {', '.join(sorted(allowed[src])) or 'nothing'}"
                        " (docs/architecture.md, Layers)")
    for d in sorted(unknown):
        problems.append(f"{d}: a source folder the Layers table does not name")
    for path, inc in sorted(debts - used_debts):
        problems.append(f"{path}: no longer includes {inc}: remove that row "
                        "from the Layering debts table")
    for p in problems:
        print(p)
    if problems:
        print(f"layering: {len(problems)} problem(s)")
        return 1
    print(f"layering: {len(allowed)} folders, {len(used_debts)} known debts, "
          "no other include across layers")
    return 0


if __name__ == "__main__":
    sys.exit(main())
