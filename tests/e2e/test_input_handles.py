"""A local agent reads a client's directory in place (issue 22, item 5):
dsoctl hands it the directory it opened (runtime/input_handles.h) instead of
a tar, for every step that takes a directory; the findings are the
embedded run's, and nothing lands in the artifact store."""
import json

from conftest import dsoctl

AWS_KEY = "AKIA" + "QYLPMN5HHHFPZAM2"  # split: no secret in this file


def scan_files(tree, report, agent):
    """A secrets scan of `tree` (through `agent`, or embedded): dsoctl's
    output and the (rule, file, line) of each finding."""
    p = dsoctl("scan", "--path", str(tree), "--scanners", "secrets",
               "--report", str(report), agent=agent)
    assert p.returncode == 0, p.stderr
    return p, sorted((f["rule_id"], f["location"]["file"],
                      f["location"]["line"])
                     for f in json.loads(report.read_text())["findings"])


def test_scan_and_exec_read_the_directory_in_place(agent, tmp_path):
    tree = tmp_path / "tree"
    (tree / "src").mkdir(parents=True)
    (tree / "src" / "settings.py").write_text(f'KEY = "{AWS_KEY}"\n')
    (tree / "requirements.txt").write_text("requests==2.0.0\n")
    results = {}
    for name, via in (("agent", agent), ("embedded", None)):
        p, results[name] = scan_files(tree, tmp_path / f"{name}.json", via)
        assert "as a tar" not in p.stderr, p.stderr
    assert results["agent"] == results["embedded"] != []
    # A command runs in the directory itself: reads it, writes into it.
    p = dsoctl("exec", "--", "sh", "-c", "cat requirements.txt > seen.txt",
               agent=agent, cwd=tree)
    assert p.returncode == 0, p.stderr
    assert (tree / "seen.txt").read_text() == "requests==2.0.0\n"
    # Nothing was uploaded: the store holds the reports the scan made, no
    # tar of the tree.
    import tarfile
    blobs = agent.data_dir / "store" / "blobs" / "sha256"
    assert not any(tarfile.is_tarfile(b) for b in blobs.iterdir())


def test_a_tar_leaves_out_what_the_scan_would_skip_and_is_dropped(
        make_agent, tmp_path):
    import tarfile
    # An agent that takes no handles gets a tar, as a remote one does.
    agent = make_agent("input_handles: false\n").start()
    tree = tmp_path / "tree"
    (tree / ".git").mkdir(parents=True)
    (tree / ".git" / "config").write_text(f"token = {AWS_KEY}\n")
    (tree / "app.bin").write_bytes(b"\0\1\2" + AWS_KEY.encode())
    (tree / "settings.py").write_text(f'KEY = "{AWS_KEY}"\n')
    results = {}
    for name, via in (("agent", agent), ("embedded", None)):
        p, found = scan_files(tree, tmp_path / f"{name}.json", via)
        results[name] = [file for _, file, _ in found]
        if via:
            assert "left out of the upload: 2 binary files or .git" in \
                p.stderr, p.stderr
    assert results["agent"] == results["embedded"] == ["settings.py"]
    # The run unpacked its upload and nobody else used it: dropped.
    blobs = agent.data_dir / "store" / "blobs" / "sha256"
    assert not any(tarfile.is_tarfile(b) for b in blobs.iterdir())


def test_a_single_file_is_handed_over_too(agent, tmp_path):
    # A gate report (one file) reaches the agent by descriptor, under its
    # own name: no tar, no upload; the gate reads it as it would a tar's.
    import tarfile
    report = tmp_path / "scan.sarif"
    report.write_text(json.dumps({"version": "2.1.0", "runs": [{
        "tool": {"driver": {"name": "t", "rules": [
            {"id": "R1", "properties": {"security-severity": "9.8"}}]}},
        "results": [{"ruleId": "R1", "level": "error",
                     "message": {"text": "bad"}}]}]}))
    out = tmp_path / "gate"
    p = dsoctl("gate", "--level", "2", "--report", str(report), agent=agent,
               json_file=out / "summary.json")
    assert "as a tar" not in p.stderr, p.stderr
    assert p.returncode == 1, p.stderr  # a CRITICAL finding fails level 2
    assert "scan.sarif" in (out / "gate.json").read_text()
    blobs = agent.data_dir / "store" / "blobs" / "sha256"
    assert not any(tarfile.is_tarfile(b) for b in blobs.iterdir())
