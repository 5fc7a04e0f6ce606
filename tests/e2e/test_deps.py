"""dsoctl scan --scanners deps: lockfiles matched against the local OSV
database, through a real agent and embedded, with the shared PyPA and Go
data when it is beside the checkout."""
import json
import os
import subprocess
from pathlib import Path

from conftest import dsoctl

SHARED = Path(__file__).resolve().parents[3] / "shared/data/osv"

REQUIREMENTS = """Django==3.2.10
PyYAML==5.3.1
requests==2.25.0
flask>=2.0
"""

GO_MOD = """module example.com/app

go 1.21

require (
\tgolang.org/x/text v0.3.7
\tgolang.org/x/net v0.7.0
)
"""

PYSEC_DJANGO = """id: PYSEC-2022-1
modified: 2022-01-05T00:00:00Z
aliases:
- CVE-2021-45115
summary: Denial of service in UserAttributeSimilarityValidator
affected:
- package:
    ecosystem: PyPI
    name: django
  ranges:
  - type: ECOSYSTEM
    events:
    - introduced: '3.2'
    - fixed: 3.2.11
severity:
- type: CVSS_V3
  score: CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H
"""

GO_TEXT = {
    "id": "GO-2022-1059", "modified": "2024-05-20T16:03:47Z",
    "aliases": ["CVE-2022-32149"],
    "affected": [{"package": {"ecosystem": "Go", "name": "golang.org/x/text"},
                  "ranges": [{"type": "SEMVER", "events": [
                      {"introduced": "0"}, {"fixed": "0.3.8"}]}]}],
}


def make_project(root: Path) -> Path:
    proj = root / "proj"
    (proj / "svc").mkdir(parents=True)
    (proj / "requirements.txt").write_text(REQUIREMENTS)
    (proj / "svc" / "go.mod").write_text(GO_MOD)
    (proj / "node_modules" / "x").mkdir(parents=True)  # not the project's
    (proj / "node_modules" / "x" / "requirements.txt").write_text(
        "Django==1.0\n")
    return proj


def make_records(root: Path) -> Path:
    rec = root / "records"
    (rec / "django").mkdir(parents=True)
    (rec / "django" / "PYSEC-2022-1.yaml").write_text(PYSEC_DJANGO)
    (rec / "GO-2022-1059.json").write_text(json.dumps(GO_TEXT))
    return rec


def test_deps_through_the_agent(agent, tmp_path):
    proj, rec = make_project(tmp_path), make_records(tmp_path)
    assert dsoctl("db", "import", str(rec), agent=agent).returncode == 0
    out = tmp_path / "out"
    p = dsoctl("scan", "--path", str(proj), "--scanners", "deps",
               "--fail-on", "HIGH", agent=agent, json_file=out / "s.json")
    assert p.returncode == 1, p.stderr  # a HIGH (CVSS 7.5) finding
    assert "deps: 2 lockfiles, 6 packages, 2 vulnerable" in p.stderr
    assert "'flask' is not pinned" in p.stderr
    sarif = json.loads((out / "secrets.sarif").read_text())
    results = sarif["runs"][0]["results"]
    assert sorted(r["ruleId"] for r in results) == ["GO-2022-1059",
                                                   "PYSEC-2022-1"]
    assert p.summary["counts"]["HIGH"] == 1
    assert p.summary["counts"]["MEDIUM"] == 1  # Go: no severity given
    # One lockfile named by --path: read where it is, nothing copied.
    p = dsoctl("scan", "--path", str(proj / "requirements.txt"),
               "--scanners", "deps", "--fail-on", "HIGH", agent=agent)
    assert p.returncode == 1, p.stderr
    assert "deps: 1 lockfiles, 3 packages, 1 vulnerable" in p.stderr, p.stderr


def test_deps_embedded_and_errors(tmp_path):
    proj, rec = make_project(tmp_path), make_records(tmp_path)
    db = tmp_path / "db"
    data = ("--data-dir", str(tmp_path / "data"))
    # Asked for deps with an empty database: an error that says what to do.
    p = dsoctl("scan", "--path", str(proj), "--scanners", "deps", "--db",
               str(db), extra_global=data)
    assert p.returncode != 0 and "dsoctl db import" in p.stderr, p.stderr
    # By default, deps without advisories is skipped with a note.
    p = dsoctl("scan", "--path", str(proj), "--db", str(db),
               extra_global=data)
    assert p.returncode == 0 and "6 packages; not matched" in p.stderr, \
        p.stderr
    assert dsoctl("db", "import", "--db", str(db), str(rec),
                  extra_global=data).returncode == 0
    p = dsoctl("scan", "--path", str(proj), "--db", str(db),
               extra_global=data)
    assert p.returncode == 0, p.stderr
    assert "PYSEC-2022-1" in p.stderr and "GO-2022-1059" in p.stderr
    # A lockfile not read whole hides its packages: the rest is still
    # scanned and reported, and the scan fails (2) naming the file.
    (proj / "poetry.lock").write_text("[[package]\n")
    report = tmp_path / "findings.json"
    p = dsoctl("scan", "--path", str(proj), "--scanners", "deps", "--db",
               str(db), "--report", str(report), extra_global=data)
    assert p.returncode == 2, p.stderr
    assert "error: not read: poetry.lock:1: not TOML" in p.stderr
    assert "1 lockfiles not read" in p.stderr
    assert "2 vulnerable" in p.stderr
    assert len(json.loads(report.read_text())["findings"]) >= 2
    # Padded past the size dso reads whole: the same, never a pass. One
    # read in pieces is read to its end, where the padding is no JSON.
    (proj / "poetry.lock").unlink()
    for name in ("Gemfile.lock", "package-lock.json"):
        with open(proj / name, "wb") as f:
            f.truncate(65 << 20)
    p = dsoctl("scan", "--path", str(proj), "--scanners", "deps", "--db",
               str(db), "--fail-on", "critical", extra_global=data)
    assert p.returncode == 2, p.stderr
    assert "Gemfile.lock: 68157440 bytes, more than the 64 MiB" in p.stderr
    assert "package-lock.json:1: not JSON" in p.stderr


NPM_RECORD = {
    "id": "GHSA-e2e-big-lock", "modified": "2026-01-01T00:00:00Z",
    "summary": "a vulnerable package at the end of a large yarn.lock",
    "affected": [{"package": {"ecosystem": "npm", "name": "the-last-one"},
                  "ranges": [{"type": "SEMVER", "events": [
                      {"introduced": "0"}, {"fixed": "2.0.0"}]}]}],
    "database_specific": {"severity": "HIGH"}}


# A yarn.lock past the 64 MiB other lockfiles are read whole up to: read in
# pieces, its last entry is found and fails the gate.
def test_deps_large_lockfile_is_streamed(tmp_path):
    proj = tmp_path / "proj"
    proj.mkdir()
    entry = ('"pkg-{0}@^1.0.{1}":\n  version "1.0.{1}"\n'
             '  resolved "https://registry.yarnpkg.com/pkg-{0}/-/pkg-{0}-1.0.{1}'
             '.tgz#0123456789abcdef0123456789abcdef01234567"\n'
             '  integrity sha512-' + "A" * 86 + '==\n\n')
    with open(proj / "yarn.lock", "w") as f:
        f.write("# yarn lockfile v1\n\n")
        for i in range(0, 300000, 1000):
            f.write("".join(entry.format(j % 50000, j % 50000 % 7)
                            for j in range(i, i + 1000)))
        f.write('"the-last-one@^1":\n  version "1.5.0"\n')
    assert (proj / "yarn.lock").stat().st_size > 65 << 20
    rec = tmp_path / "records"
    rec.mkdir()
    (rec / "GHSA-e2e-big-lock.json").write_text(json.dumps(NPM_RECORD))
    db = tmp_path / "db"
    data = ("--data-dir", str(tmp_path / "data"))
    assert dsoctl("db", "import", "--db", str(db), str(rec),
                  extra_global=data).returncode == 0
    p = dsoctl("scan", "--path", str(proj), "--scanners", "deps", "--db",
               str(db), "--fail-on", "high", extra_global=data)
    assert p.returncode == 1, p.stderr
    assert "GHSA-e2e-big-lock" in p.stderr
    assert "deps: 1 lockfiles, 50001 packages, 1 vulnerable" in p.stderr


# The advisories the shared data (PyPA 3ccb6125, Go a752ea54) holds for the
# fixture project: the same 39 (package, advisory) pairs osv-scanner v2.6.0
# reports offline on these files with the full data (checked 2026-11-26).
# data/osv vendors exactly these records (and PYSEC-2020-176, which must not
# match), with their licences, so CI checks them without the shared data.
VENDORED = Path(__file__).resolve().parent / "data/osv"
KNOWN = {
    "Django": ["PYSEC-2022-1", "PYSEC-2022-19", "PYSEC-2022-190",
               "PYSEC-2022-191", "PYSEC-2022-2", "PYSEC-2022-20",
               "PYSEC-2022-213", "PYSEC-2022-245", "PYSEC-2022-3",
               "PYSEC-2022-304", "PYSEC-2023-100", "PYSEC-2023-12",
               "PYSEC-2023-13", "PYSEC-2023-222", "PYSEC-2023-225",
               "PYSEC-2023-226", "PYSEC-2023-61", "PYSEC-2024-28",
               "PYSEC-2024-47"],
    "PyYAML": ["PYSEC-2021-142"],      # 5.3.1 < 5.4; not PYSEC-2020-176
    "requests": ["PYSEC-2023-74"],
    "golang.org/x/text": ["GO-2022-1059", "GO-2026-5970"],
    "golang.org/x/net": ["GO-2023-1988", "GO-2023-2102", "GO-2024-2687",
                         "GO-2024-3333", "GO-2025-3503", "GO-2025-3595",
                         "GO-2026-4440", "GO-2026-4441", "GO-2026-4918",
                         "GO-2026-5025", "GO-2026-5026", "GO-2026-5027",
                         "GO-2026-5028", "GO-2026-5029", "GO-2026-5030",
                         "GO-2026-5942"],
}


def known_advisories(tmp_path, osv: Path):
    proj = make_project(tmp_path)
    db = tmp_path / "db"
    data = ("--data-dir", str(tmp_path / "data"))
    assert dsoctl("db", "import", "--db", str(db), str(osv / "pypa"),
                  str(osv / "go"), extra_global=data,
                  timeout=120).returncode == 0
    out = tmp_path / "out"
    p = dsoctl("scan", "--path", str(proj), "--scanners", "deps", "--db",
               str(db), extra_global=data, json_file=out / "s.json")
    assert p.returncode == 0, p.stderr
    found = json.loads((out / "secrets.json").read_text())["findings"]
    got = {}
    for f in found:
        got.setdefault(f["location"]["package"], []).append(f["rule_id"])
    # The standard library at the go line's release (go 1.21: 1.21.0), which
    # osv-scanner v2.6.0 did not check: against the records themselves.
    assert sorted(got.pop("stdlib", [])) == stdlib_advisories(osv / "go",
                                                              "1.21.0")
    assert {k: sorted(v) for k, v in got.items()} == KNOWN


def semver_key(v: str):
    """X.Y.Z[-pre] as a sortable key: a pre-release before its release."""
    core, _, pre = v.partition("-")
    nums = tuple(int(x) for x in core.split("."))
    return nums + ((0, pre) if pre else (1, ""),)


def stdlib_advisories(go_dir: Path, version: str):
    """The Go records whose stdlib ranges hold `version` (OSV's rules)."""
    v, hits = semver_key(version), []
    for path in sorted(go_dir.glob("*.json")):
        rec = json.loads(path.read_text())
        for aff in rec.get("affected", []):
            if aff.get("package", {}).get("name") != "stdlib":
                continue
            for r in aff.get("ranges", []):
                if r.get("type") != "SEMVER":
                    continue
                events = sorted(
                    r["events"], key=lambda e: semver_key(
                        "0.0.0-0" if next(iter(e.values())) == "0"
                        else next(iter(e.values()))))
                affected = False
                for e in events:
                    kind, at = next(iter(e.items()))
                    at_key = semver_key("0.0.0-0" if at == "0" else at)
                    if kind == "introduced" and at_key <= v:
                        affected = True
                    elif kind == "fixed" and at_key <= v:
                        affected = False
                    elif kind == "last_affected" and at_key < v:
                        affected = False
                if affected and rec["id"] not in hits:
                    hits.append(rec["id"])
    return sorted(hits)


def test_known_advisories_vendored_records(tmp_path):
    known_advisories(tmp_path, VENDORED)


def test_known_advisories_full_shared_data(tmp_path):
    if not SHARED.is_dir():
        import pytest
        pytest.skip("the shared OSV data is not beside this checkout")
    known_advisories(tmp_path, SHARED)


def validate_cyclonedx(path: Path):
    """Checks an SBOM with CycloneDX's own library (installed by setup)."""
    venv = Path(os.environ.get("DSO_TOOLS_VENV",
                               Path.home() / ".cache/dso/venv"))
    code = ("import sys\n"
            "from cyclonedx.validation.json import JsonStrictValidator\n"
            "from cyclonedx.schema import SchemaVersion\n"
            "err = JsonStrictValidator(SchemaVersion.V1_5).validate_str("
            "open(sys.argv[1]).read())\n"
            "print(err or 'valid')\n"
            "sys.exit(1 if err else 0)\n")
    p = subprocess.run([str(venv / "bin/python"), "-c", code, str(path)],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stdout + p.stderr


def test_sbom_is_valid_cyclonedx(agent, tmp_path):
    proj = make_project(tmp_path)
    (proj / "web").mkdir()
    (proj / "web" / "package-lock.json").write_text(json.dumps({
        "lockfileVersion": 3,
        "packages": {"": {}, "node_modules/@babel/core": {"version": "7.0.0"},
                     "node_modules/lodash": {"version": "4.17.20"}}}))
    sbom = tmp_path / "out" / "sbom.json"
    # No advisories are needed for an SBOM.
    p = dsoctl("scan", "--path", str(proj), "--scanners", "deps", "--sbom",
               str(sbom), agent=agent)
    assert p.returncode == 0, p.stderr
    validate_cyclonedx(sbom)
    bom = json.loads(sbom.read_text())
    assert bom["specVersion"] == "1.5"
    purls = [c["purl"] for c in bom["components"] if "purl" in c]
    assert purls == sorted(purls)
    for want in ["pkg:pypi/django@3.2.10", "pkg:pypi/pyyaml@5.3.1",
                 "pkg:golang/golang.org/x/text@v0.3.7",
                 "pkg:npm/%40babel/core@7.0.0", "pkg:npm/lodash@4.17.20"]:
        assert want in purls, (want, purls)
    django = next(c for c in bom["components"] if c["name"] == "Django")
    assert {"name": "dso:location", "value": "requirements.txt:1"} in \
        django["properties"]
    # Unpinned requirements are not components.
    assert not any(c["name"] == "flask" for c in bom["components"])
