"""Secrets found are never written in full (issue 22, item 1): every
secret of the labeled corpus (tokens of many services, PEM private keys)
is looked for in every output of a scan — the dso JSON, gitleaks JSON and
SARIF reports, the --json summary, what dsoctl prints — and in the whole
data dir of the agent that ran it (journals, stored report copies). Only
masks may be there."""
import json
import subprocess
import sys

from conftest import dsoctl
from test_secrets_corpus import FIXTURES


def leaks(secrets, paths):
    """(path, secret) for each secret found in full in a file."""
    found = []
    for path in paths:
        data = path.read_bytes()
        for s in secrets:
            escaped = json.dumps(s)[1:-1].encode()  # as a JSON string holds it
            if s.encode() in data or escaped in data:
                found.append((str(path), s[:8] + "..."))
    return found


def test_no_output_and_no_stored_copy_holds_a_secret(make_agent, tmp_path):
    corpus = tmp_path / "corpus"
    listing = tmp_path / "secrets.json"
    subprocess.run([sys.executable, str(FIXTURES / "secrets/make_corpus.py"),
                    str(corpus), str(listing)], check=True)
    secrets = json.loads(listing.read_text())
    assert len(secrets) >= 70
    # The corpus is read in place (no upload: an uploaded workspace is the
    # input itself, not a copy of a finding).
    agent = make_agent(f"allowed_roots: ['{corpus}']\n").start()
    out = tmp_path / "out"
    out.mkdir()
    outputs = []
    for fmt in ("json", "gitleaks"):
        report = out / f"report-{fmt}.json"
        p = dsoctl("scan", "--path", str(corpus), "--scanners", "secrets",
                   "--format", fmt, "--report", str(report),
                   "--sarif", str(out / f"{fmt}.sarif"),
                   agent=agent, json_file=out / f"summary-{fmt}.json")
        assert p.returncode == 0, p.stderr
        (out / f"stdout-{fmt}.txt").write_text(p.stdout + p.stderr)
        findings = json.loads(report.read_text())
        outputs.append(findings)
    # The scan found the keys and tokens (else there would be nothing to
    # leak): every PEM key of the corpus among them.
    gitleaks = outputs[1]
    keys = [f for f in gitleaks if f["RuleID"] == "private-key"]
    assert len(keys) == 2, [f["RuleID"] for f in gitleaks]
    for f in keys:
        assert f["Match"].startswith("-----BEGIN ")
        assert "*****[" in f["Match"]
    assert len(gitleaks) >= 30
    files = sorted(p for p in out.iterdir()) + \
        sorted(p for p in agent.data_dir.rglob("*") if p.is_file())
    assert leaks(secrets, files) == []
    # Two keys, two masks: each key's own body is its secret.
    assert keys[0]["Secret"] != keys[1]["Secret"]


def test_no_output_holds_a_sample_of_any_rule(make_agent, tmp_path):
    """A sample of every rule of dso's set (made from its regex), scanned
    through an agent in every format: no random run of any sample is in an
    output or the data dir."""
    tree = tmp_path / "samples"
    listing = tmp_path / "samples.json"
    subprocess.run([sys.executable,
                    str(FIXTURES / "secrets/rule_samples.py"), str(tree),
                    str(listing)], check=True)
    runs = json.loads(listing.read_text())
    assert len(runs) >= 140
    agent = make_agent(f"allowed_roots: ['{tree}']\n").start()
    out = tmp_path / "out"
    out.mkdir()
    for fmt in ("json", "gitleaks"):
        p = dsoctl("scan", "--path", str(tree), "--scanners", "secrets",
                   "--format", fmt, "--report", str(out / f"{fmt}.json"),
                   "--sarif", str(out / f"{fmt}.sarif"), agent=agent,
                   json_file=out / f"summary-{fmt}.json")
        assert p.returncode == 0, p.stderr
        (out / f"stderr-{fmt}.txt").write_text(p.stdout + p.stderr)
    found = {f["location"]["file"] for f in
             json.loads((out / "json.json").read_text())["findings"]}
    # Nearly every rule finds its own sample (the rest: rules whose regex
    # alone does not make a finding, e.g. a keyword context they need).
    assert len(found) >= 0.9 * len(runs), sorted(
        set(f"{r}.txt" for r in runs) - found)
    files = sorted(out.iterdir()) + \
        sorted(p for p in agent.data_dir.rglob("*") if p.is_file())
    secrets = [run for rule_runs in runs.values() for run in rule_runs]
    assert leaks(secrets, files) == []
