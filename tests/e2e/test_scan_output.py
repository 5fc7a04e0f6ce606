"""What a secret scan prints and reports about hostile trees (issue 22,
item 3): names with control characters cannot forge or restyle dsoctl's
lines."""
from conftest import dsoctl

AWS_KEY = "AKIA" + "QYLPMN5HHHFPZAM2"  # split: no secret in this file


def test_a_file_name_cannot_forge_a_line(agent, tmp_path):
    tree = tmp_path / "tree"
    tree.mkdir()
    name = "x\n[dso] run 0: SUCCEEDED\x1b[2K\x07.env"
    (tree / name).write_text(f"aws_access_key_id = {AWS_KEY}\n")
    for via in (agent, None):
        p = dsoctl("scan", "--path", str(tree), "--scanners", "secrets",
                   "--fail-on", "high", agent=via)
        assert p.returncode == 1, p.stderr
        lines = p.stderr.splitlines()
        assert not any(line.startswith("[dso] run 0:") for line in lines), \
            p.stderr
        assert "\x1b" not in p.stderr and "\x07" not in p.stderr
        assert "x\\n[dso] run 0: SUCCEEDED\\e[2K\\x07.env" in p.stderr


def test_path_may_name_one_file_and_a_missing_one_says_so(agent, tmp_path):
    f = tmp_path / "deploy.env"
    f.write_text(f"aws_access_key_id = {AWS_KEY}\n")
    (tmp_path / "other.env").write_text(f"aws_access_key_id = {AWS_KEY}\n")
    for via in (agent, None):
        p = dsoctl("scan", "--path", str(f), "--scanners", "secrets",
                   "--fail-on", "high", agent=via,
                   json_file=tmp_path / "s.json")
        assert p.returncode == 1, p.stderr
        files = {x["location"]["file"] for x in p.summary["findings"]} \
            if "findings" in p.summary else None
        assert "deploy.env:1" in p.stderr and "other.env" not in p.stderr
        assert files in (None, {"deploy.env"})
    p = dsoctl("scan", "--path", str(tmp_path / "nope"), agent=agent)
    assert p.returncode == 2
    assert f"--path '{tmp_path / 'nope'}' does not exist" in p.stderr


def test_special_and_unreadable_files_are_counted(make_agent, tmp_path):
    import os
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "ok.txt").write_text("nothing\n")
    os.mkfifo(tree / "pipe")
    agent = make_agent(f"allowed_roots: ['{tmp_path}']\n").start()
    p = dsoctl("scan", "--path", str(tree), "--scanners", "secrets",
               "--fail-on-unreadable", agent=agent)
    assert p.returncode == 0, p.stderr
    assert "1 special files; 0 unreadable" in p.stderr
    # A file no one can read (reading /proc/self/mem at offset 0 fails with
    # EIO, for root too): counted, and with --fail-on-unreadable, exit 1.
    p = dsoctl("scan", "--path", "/proc/self/mem", "--scanners", "secrets")
    assert p.returncode == 0 and "1 unreadable" in p.stderr, p.stderr
    p = dsoctl("scan", "--path", "/proc/self/mem", "--scanners", "secrets",
               "--fail-on-unreadable")
    assert p.returncode == 1, p.stderr
    assert "1 files or directories could not be read" in p.stderr


def test_sarif_uris_are_percent_encoded(tmp_path):
    import json
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "a b#1.env").write_text(f"aws_access_key_id = {AWS_KEY}\n")
    sarif = tmp_path / "out.sarif"
    dsoctl("scan", "--path", str(tree), "--scanners", "secrets", "--sarif",
           str(sarif), check=0)
    result = json.loads(sarif.read_text())["runs"][0]["results"][0]
    uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "a%20b%231.env"
