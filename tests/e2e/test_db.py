"""dsoctl db import|info: OSV records into the local vulnerability database,
through a real agent (inputs travel as tars) and embedded; bad archives
change nothing."""
import json
import zipfile
from pathlib import Path

from conftest import dsoctl


def go_record(rec_id, fixed, modified="2024-05-20T16:03:47Z", withdrawn=""):
    rec = {
        "id": rec_id, "modified": modified, "aliases": ["CVE-2022-32149"],
        "affected": [{
            "package": {"ecosystem": "Go", "name": "golang.org/x/text"},
            "ranges": [{"type": "SEMVER",
                        "events": [{"introduced": "0"}, {"fixed": fixed}]}],
        }],
    }
    if withdrawn:
        rec["withdrawn"] = withdrawn
    return json.dumps(rec)


PYPA = """id: PYSEC-2021-9
modified: 2021-03-22T16:34:00Z
affected:
- package:
    ecosystem: PyPI
    name: lxml
  ranges:
  - type: ECOSYSTEM
    events:
    - introduced: "0"
    - fixed: 4.6.3
"""


def make_sources(root: Path):
    pypa = root / "pypa" / "lxml"
    pypa.mkdir(parents=True)
    (pypa / "PYSEC-2021-9.yaml").write_text(PYPA)
    (root / "pypa" / "broken.yaml").write_text("id: [unclosed\n")
    zip_path = root / "go" / "all.zip"
    zip_path.parent.mkdir()
    with zipfile.ZipFile(zip_path, "w") as z:
        z.writestr("GO-2022-1059.json", go_record("GO-2022-1059", "0.3.8"))
        z.writestr("GO-2020-0001.json",
                   go_record("GO-2020-0001", "0.1.0",
                             withdrawn="2024-01-01T00:00:00Z"))
    return root / "pypa", zip_path


def test_import_and_info_through_the_agent(agent, tmp_path):
    pypa, zip_path = make_sources(tmp_path)
    p = dsoctl("db", "import", str(pypa), str(zip_path), agent=agent,
               json_file=tmp_path / "s.json")
    assert p.returncode == 0, p.stderr
    assert p.summary["step"] == "db" and p.summary["outcome"] == "SUCCEEDED"
    assert ("imported 4 records: 2 new, 0 updated, 0 unchanged, 1 withdrawn,"
            " 1 invalid") in p.stderr
    # A warning naming the file as the client knows it.
    assert f"warning: {pypa}/broken.yaml: not YAML: line" in p.stderr
    assert "Go: 1 advisories" in p.stderr and "PyPI: 1 advisories" in p.stderr
    db_file = agent.data_dir / "osv" / "osv.db"
    assert db_file.stat().st_size > 0
    info = dsoctl("db", "info", agent=agent)
    assert info.returncode == 0, info.stderr
    assert "2 advisories, last import" in info.stderr
    # Sources are named by the client's paths, not the agent's copies.
    assert f"  source {pypa}: 2 records" in info.stderr, info.stderr
    assert f"  source {zip_path}: 2 records" in info.stderr

    # A damaged archive: exit 2, the database stays as it was.
    before = db_file.read_bytes()
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    p = dsoctl("db", "import", str(bad), agent=agent)
    assert p.returncode == 2, p.stderr
    assert "bad.zip" in p.stderr and "the database is unchanged" in p.stderr
    assert db_file.read_bytes() == before

    # A newer record replaces the stored one; an older one does not.
    newer = tmp_path / "newer"
    newer.mkdir()
    (newer / "GO-2022-1059.json").write_text(
        go_record("GO-2022-1059", "0.4.0", modified="2025-01-01T00:00:00Z"))
    p = dsoctl("db", "import", str(newer), agent=agent)
    assert "1 updated" in p.stderr, p.stderr
    p = dsoctl("db", "import", str(zip_path), agent=agent)
    assert "0 new, 0 updated, 1 unchanged" in p.stderr, p.stderr


def test_embedded_with_an_explicit_db_dir(tmp_path):
    pypa, _ = make_sources(tmp_path)
    db = tmp_path / "mydb"
    p = dsoctl("db", "import", "--db", str(db), str(pypa / "lxml"),
               extra_global=("--data-dir", str(tmp_path / "data")))
    assert p.returncode == 0, p.stderr
    assert (db / "osv.db").exists()
    assert not (tmp_path / "data" / "osv").exists()
    p = dsoctl("db", "info", "--db", str(db),
               extra_global=("--data-dir", str(tmp_path / "data")))
    assert "PyPI: 1 advisories" in p.stderr
    p = dsoctl("db", "import", str(tmp_path / "missing"))
    assert p.returncode == 2 and "missing" in p.stderr


def test_the_shared_osv_data_imports_completely(tmp_path):
    shared = Path(__file__).resolve().parents[3] / "shared/data/osv"
    if not shared.is_dir():
        import pytest
        pytest.skip("the shared OSV data is not beside this checkout")
    p = dsoctl("db", "import", "--db", str(tmp_path / "db"),
               str(shared / "pypa"), str(shared / "go"),
               extra_global=("--data-dir", str(tmp_path / "data")),
               timeout=120)
    assert p.returncode == 0, p.stderr
    assert " 0 invalid" in p.stderr, p.stderr
    assert "Go: 4274 advisories" in p.stderr or "Go: " in p.stderr
