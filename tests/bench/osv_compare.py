#!/usr/bin/env python3
"""Helpers for tests/bench/deps.sh.

  osv_compare.py zips OSV_DIR OUT_DIR
      Writes osv-scanner's offline database layout (OUT_DIR/osv-scanner and
      OUT_DIR/osv-scalibr, <ECOSYSTEM>/all.zip of JSON records) from the
      shared PyPA (YAML) and Go (JSON) trees, timestamps kept as written.
  osv_compare.py project OSV_DIR OUT_DIR [N]
      Writes a requirements.txt of N pins (every PyPI package the records
      name, at versions spread around their fixed versions, then made-up
      names) and a go.mod of every Go module the records name.
  osv_compare.py diff OSV_DIR DSO_JSON OSV_SCANNER_JSON
      Prints the (package, version, advisory) sets' sizes and differences,
      each difference classified.
  osv_compare.py ecosystems OUT_DIR
      Writes the e2e test's Maven, RubyGems, Packagist, NuGet, Debian and
      Alpine tree (OUT_DIR/proj) and its records in osv-scanner's layout
      (OUT_DIR/osvs-db).
  osv_compare.py ecosystems-diff DSO_JSON OSV_SCANNER_JSON
      As diff, for that tree: (file, package, version, advisory)."""
import glob
import json
import os
import random
import sys
import zipfile

import yaml


class Loader(yaml.SafeLoader):
    """Keeps timestamps as the text written (osv-scanner wants RFC 3339)."""


Loader.yaml_implicit_resolvers = {
    k: [(t, r) for t, r in v if t != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()}


def records(osv):
    for f in sorted(glob.glob(f"{osv}/pypa/*/*.yaml")):
        with open(f) as fh:
            yield "PyPI", yaml.load(fh, Loader=Loader)
    for f in sorted(glob.glob(f"{osv}/go/*.json")):
        with open(f) as fh:
            yield "Go", json.load(fh)


def norm(name):
    return name.lower().replace("_", "-").replace(".", "-")


def write_zips(recs, out):
    """(ecosystem, record) pairs as osv-scanner's offline layout under out."""
    recs = list(recs)
    for layout in ("osv-scanner", "osv-scalibr"):
        files = {}
        for eco, rec in recs:
            d = f"{out}/{layout}/{eco}"
            os.makedirs(d, exist_ok=True)
            if eco not in files:
                files[eco] = zipfile.ZipFile(f"{d}/all.zip", "w")
            files[eco].writestr(rec["id"] + ".json", json.dumps(rec))
        for z in files.values():
            z.close()


def zips(osv, out):
    write_zips(records(osv), out)


def project(osv, out, n):
    rng = random.Random(1)
    pypi, go = {}, {}
    for eco, rec in records(osv):
        for a in rec.get("affected", []):
            name = a["package"]["name"]
            fixed = [e["fixed"] for r in a.get("ranges", [])
                     if r["type"] != "GIT" for e in r["events"] if "fixed" in e]
            (pypi if eco == "PyPI" else go).setdefault(name, set()).update(fixed)
    os.makedirs(out, exist_ok=True)
    lines = []
    for name, fixed in sorted(pypi.items()):
        for v in sorted(fixed)[:3] or ["1.0"]:
            lines.append(f"{name}=={v}")
            parts = v.split(".")
            if parts[-1].isdigit() and int(parts[-1]) > 0:  # just below
                lines.append(f"{name}=={'.'.join(parts[:-1] + [str(int(parts[-1]) - 1)])}")
    i = 0
    while len(lines) < n:
        lines.append(f"no-such-package-{i}=={rng.randint(0, 9)}.{rng.randint(0, 9)}")
        i += 1
    with open(f"{out}/requirements.txt", "w") as fh:
        fh.write("\n".join(lines[:n]) + "\n")
    with open(f"{out}/go.mod", "w") as fh:
        fh.write("module example.com/bench\n\ngo 1.21\n\nrequire (\n")
        for name, fixed in sorted(go.items()):
            if name == "stdlib" or name == "toolchain" or not fixed:
                continue
            v = sorted(fixed)[0]
            fh.write(f"\t{name} v{v}\n")
        fh.write(")\n")


def diff(osv, dso_json, osv_json):
    recs = {rec["id"]: rec for _, rec in records(osv)}
    with open(dso_json) as fh:
        dso = {(norm(f["location"]["package"]), f["location"]["version"],
                f["rule_id"]) for f in json.load(fh)["findings"]}
    with open(osv_json) as fh:
        out = json.load(fh)
    theirs = {(norm(p["package"]["name"]), p["package"]["version"], v["id"])
              for r in out.get("results", []) for p in r["packages"]
              for v in p.get("vulnerabilities", [])}

    def why(n, i):
        entries = [a for a in recs[i]["affected"]
                   if norm(a["package"]["name"]) == n]
        if any(r["type"] == "GIT" for a in entries for r in a.get("ranges", [])):
            return "entry with a GIT range beside its ECOSYSTEM range"
        if any(a["package"]["ecosystem"] == "Go" and
               a["package"]["name"] != a["package"]["name"].lower()
               for a in entries):
            return "Go module path with capital letters"
        if any(a["package"]["ecosystem"] == "PyPI" and "." in a["package"]["name"]
               for a in entries):
            return "PyPI name with a '.' (PEP 503: same as '-')"
        return "other"

    print(f"dso {len(dso)}, osv-scanner {len(theirs)}, both {len(dso & theirs)}")
    for label, diff_set in (("dso only", dso - theirs), ("osv-scanner only", theirs - dso)):
        classes = {}
        for n, v, i in diff_set:
            classes[why(n, i)] = classes.get(why(n, i), 0) + 1
        print(f"{label} {len(diff_set)}: " +
              ", ".join(f"{k} {c}" for k, c in sorted(classes.items())))


def ecosystems(out):
    """The e2e test's tree of Maven, RubyGems, Packagist, NuGet, Debian and
    Alpine inventories and its records, in both tools' layouts."""
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../e2e"))
    import test_deps_ecosystems as eco_test
    from pathlib import Path
    os.makedirs(out, exist_ok=True)
    eco_test.make_tree(Path(out))
    write_zips(((r["affected"][0]["package"]["ecosystem"].split(":")[0], r)
                for r in eco_test.RECORDS), f"{out}/osvs-db")


def ecosystems_diff(dso_json, osv_json):
    with open(dso_json) as fh:
        dso = {(f["location"]["file"], f["location"]["package"],
                f["location"]["version"], f["rule_id"])
               for f in json.load(fh)["findings"]}
    with open(osv_json) as fh:
        out = json.load(fh)
    theirs = {(r["source"]["path"].split("/proj/")[-1], p["package"]["name"],
               p["package"]["version"], v["id"])
              for r in out.get("results", []) for p in r["packages"]
              for v in p.get("vulnerabilities", [])}

    def why(path, name):
        if "/dpkg/" in path or "/apk/" in path:
            return "OS package database (osv-scanner reads those in images only)"
        if path.endswith("packages.lock.json"):
            return "NuGet id in another case (NuGet ids ignore case)"
        return "other"

    print(f"dso {len(dso)}, osv-scanner {len(theirs)}, both {len(dso & theirs)}")
    for label, diff_set in (("dso only", dso - theirs), ("osv-scanner only", theirs - dso)):
        classes = {}
        for path, name, _, _ in diff_set:
            classes[why(path, name)] = classes.get(why(path, name), 0) + 1
        print(f"{label} {len(diff_set)}: " +
              ", ".join(f"{k} {c}" for k, c in sorted(classes.items())))


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "zips":
        zips(sys.argv[2], sys.argv[3])
    elif cmd == "project":
        project(sys.argv[2], sys.argv[3], int(sys.argv[4]) if len(sys.argv) > 4 else 10000)
    elif cmd == "diff":
        diff(sys.argv[2], sys.argv[3], sys.argv[4])
    elif cmd == "ecosystems":
        ecosystems(sys.argv[2])
    elif cmd == "ecosystems-diff":
        ecosystems_diff(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
