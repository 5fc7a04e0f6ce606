"""dsoctl gate: real scan reports and another tool's SARIF judged by the
policy for a level and stage — the same decisions through the agent and
embedded, exit codes, waivers, baseline, warn mode, and the JUnit, JSON and
in-toto outputs."""
import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

from conftest import dsoctl

JUNIT_XSD = Path(__file__).resolve().parents[1] / "fixtures/junit/jenkins-junit.xsd"


def assert_jenkins_junit(path: Path):
    """Validates a JUnit report against the schema Jenkins reads (xmllint
    comes with scripts/setup.sh)."""
    assert shutil.which("xmllint"), "xmllint missing: run scripts/setup.sh"
    p = subprocess.run(["xmllint", "--noout", "--schema", str(JUNIT_XSD),
                        str(path)], capture_output=True, text=True, timeout=30)
    assert p.returncode == 0, p.stderr

SECRET = 'aws_key = "AKIAQYLPMN5HHHFPZAM2"\n'

OTHER_TOOL_SARIF = {
    "version": "2.1.0",
    "runs": [{
        "tool": {"driver": {"name": "ExampleSAST", "rules": [
            {"id": "SQLI", "properties": {"security-severity": "8.1"}},
            {"id": "XSS", "defaultConfiguration": {"level": "warning"}}]}},
        "results": [
            {"ruleId": "SQLI", "message": {"text": "query from input"},
             "partialFingerprints": {"primaryLocationLineHash": "sqli-1"}},
            {"ruleId": "SQLI", "message": {"text": "another"},
             "partialFingerprints": {"primaryLocationLineHash": "sqli-2"}},
            {"ruleId": "XSS", "message": {"text": "unescaped"},
             "partialFingerprints": {"primaryLocationLineHash": "xss-1"}}]}]}


def scan_reports(tmp_path: Path) -> Path:
    app = tmp_path / "app"
    app.mkdir()
    (app / "config.py").write_text(SECRET)
    out = tmp_path / "scan"
    p = dsoctl("scan", "--path", str(app), "--scanners", "secrets",
               extra_global=("--data-dir", str(tmp_path / "data")),
               json_file=out / "scan.json")
    assert p.returncode == 0, p.stderr
    (tmp_path / "sast.sarif").write_text(json.dumps(OTHER_TOOL_SARIF))
    return out


def gate(tmp_path, *args, agent=None, name="g"):
    out = tmp_path / name
    extra = () if agent else ("--data-dir", str(tmp_path / "data"))
    p = dsoctl("gate", *args, agent=agent, extra_global=extra,
               json_file=out / "summary.json")
    decision = json.loads((out / "gate.json").read_text()) \
        if (out / "gate.json").exists() else None
    return p, decision, out


def conditions(decision):
    return {c["name"]: (c["actual"], c["allowed"], c["pass"])
            for c in decision["conditions"]}


def test_gate_agent_and_embedded_decide_alike(agent, tmp_path):
    out = scan_reports(tmp_path)
    args = ("--level", "2", "--report", str(out / "secrets.json"),
            "--report", str(out / "secrets.sarif"),
            "--report", str(tmp_path / "sast.sarif"), "--date", "2026-11-27")
    p, emb, gdir = gate(tmp_path, *args, name="emb")
    assert p.returncode == 1, p.stderr
    assert "gate: fail" in p.stderr
    # The secret (in both of dso's reports) counts once; two HIGH SQLI.
    assert emb["inputs"]["duplicates"] == 1
    assert conditions(emb)["CRITICAL findings"] == (1, 0, False)
    assert conditions(emb)["HIGH findings"] == (2, 1, False)
    assert conditions(emb)["MEDIUM findings"] == (1, 2, True)
    assert conditions(emb)["secrets findings"] == (1, 0, False)
    assert p.summary["outcome"] == "POLICY_FAILED"
    assert p.summary["counts"]["HIGH"] == 2
    p2, via_agent, _ = gate(tmp_path, *args, agent=agent, name="agent")
    assert p2.returncode == 1, p2.stderr
    assert via_agent["conditions"] == emb["conditions"]
    assert via_agent["outcome"] == emb["outcome"] == "fail"
    # JUnit: one test case per condition, failures where the gate failed.
    assert_jenkins_junit(gdir / "gate-junit.xml")
    suite = ET.parse(gdir / "gate-junit.xml").getroot().find("testsuite")
    cases = suite.findall("testcase")
    assert len(cases) == len(emb["conditions"]) == 5
    assert int(suite.get("failures")) == 3
    failed = [c.get("name") for c in cases if c.find("failure") is not None]
    assert failed == ["CRITICAL findings <= 0", "HIGH findings <= 1",
                      "secrets findings <= 0"]
    st = json.loads((gdir / "gate.intoto.json").read_text())
    assert st["_type"] == "https://in-toto.io/Statement/v1"
    assert len(st["subject"]) == 3
    assert st["predicate"]["outcome"] == "fail"


def test_waivers_baseline_and_warn_mode(tmp_path):
    out = scan_reports(tmp_path)
    secret_fp = json.loads((out / "secrets.json").read_text())[
        "findings"][0]["fingerprint"]
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(f"""waivers:
  - id: W-key
    fingerprint: "{secret_fp}"
    reason: rotated key kept in a test fixture
    owner: alice@example.com
    expires: 2026-12-31
  - id: W-sqli
    rule: SQLI
    reason: parameterised in the ORM layer
    owner: bob@example.com
    expires: 2026-11-01
  - id: W-unused
    package: left-pad
    reason: gone
    owner: carol@example.com
    expires: 2027-06-30
""")
    base = ("--level", "2", "--report", str(out / "secrets.json"),
            "--report", str(tmp_path / "sast.sarif"), "--waivers",
            str(waivers), "--date", "2026-11-27")
    p, d, _ = gate(tmp_path, *base, name="w")
    assert p.returncode == 1, p.stderr  # SQLI's waiver has expired
    assert [w["id"] for w in d["expired_waivers"]] == ["W-sqli"]
    assert [w["id"] for w in d["stale_waivers"]] == ["W-unused"]
    assert [(w["id"], w["findings"]) for w in d["waived"]] == [("W-key", 1)]
    assert d["waived"][0]["fingerprints"] == [secret_fp]
    assert "expired waiver W-sqli" in p.stderr
    # A baseline holding the SQLI findings: only what is new counts.
    p, d, _ = gate(tmp_path, *base, "--baseline", str(tmp_path / "sast.sarif"),
                   name="b")
    assert p.returncode == 0, p.stderr
    assert d["not_counted"]["in_baseline"] == 3
    # Warn mode: reported, recorded, never failing.
    p, d, gdir = gate(tmp_path, *base, "--mode", "warn", name="warn")
    assert p.returncode == 0, p.stderr
    assert d["outcome"] == "warn" and d["mode"] == "warn"
    assert "would fail" in p.summary["message"]
    assert "<failure" not in (gdir / "gate-junit.xml").read_text()
    assert_jenkins_junit(gdir / "gate-junit.xml")


def test_bad_input_is_exit_2_and_names_the_file(tmp_path):
    out = scan_reports(tmp_path)
    policy = tmp_path / "policy.yaml"
    policy.write_text("levels:\n  2:\n    max: {HIGH: lots}\n")
    p, _, _ = gate(tmp_path, "--level", "2", "--report",
                   str(out / "secrets.json"), "--policy", str(policy))
    assert p.returncode == 2
    assert "policy.yaml:3: levels.2.max.HIGH: must be a whole number" in \
        p.stderr
    junk = tmp_path / "junk.sarif"
    junk.write_text('{"version": "2.1.0", "runs": [{"tool": {"driver": '
                    '{"name": "x"}}, "results": [{"ruleId": "a", '
                    '"level": "severe"}]}]}')
    p, _, _ = gate(tmp_path, "--level", "2", "--report", str(junk))
    assert p.returncode == 2, p.stderr
    assert "junk.sarif: $.runs[0].results[0].level: 'severe'" in p.stderr
    p, _, _ = gate(tmp_path, "--level", "2")
    assert p.returncode == 2  # no report: an error, not a pass
    p, _, _ = gate(tmp_path, "--level", "5", "--report",
                   str(out / "secrets.json"))
    assert p.returncode == 2


def test_the_documented_example_policy_is_valid(tmp_path):
    example = Path(__file__).resolve().parents[2] / "pipelines/policy/policy.yaml"
    out = scan_reports(tmp_path)
    p, d, _ = gate(tmp_path, "--level", "3", "--stage", "container",
                   "--report", str(tmp_path / "sast.sarif"), "--policy",
                   str(example), "--date", "2026-11-27")
    assert p.returncode == 1, p.stderr  # the example's container limit: no HIGH
    assert conditions(d)["HIGH findings"] == (2, 0, False)
    assert [w["id"] for w in d["stale_waivers"]] == ["W-2026-001"]


def test_final_gate_with_cosign_evidence(tmp_path):
    import base64
    digest = "sha256:" + "ab" * 32
    (tmp_path / "sbom.cdx.json").write_text(
        '{"bomFormat": "CycloneDX", "specVersion": "1.5", "components": []}')
    (tmp_path / "clean.json").write_text('{"findings": []}')
    policy = tmp_path / "policy.yaml"
    policy.write_text("""stages:
  final:
    require:
      signed: true
      attestations: [https://slsa.dev/provenance/v1]
""")
    # What cosign verify and cosign verify-attestation print on success.
    (tmp_path / "verify.json").write_text(json.dumps([{
        "critical": {"identity": {"docker-reference": "registry.example/shop"},
                     "image": {"docker-manifest-digest": digest},
                     "type": "cosign container image signature"},
        "optional": None}]) + "\n")
    statement = {"_type": "https://in-toto.io/Statement/v1",
                 "subject": [{"name": "registry.example/shop",
                              "digest": {"sha256": digest[7:]}}],
                 "predicateType": "https://slsa.dev/provenance/v1",
                 "predicate": {}}
    (tmp_path / "attest.jsonl").write_text(json.dumps({
        "payloadType": "application/vnd.in-toto+json",
        "payload": base64.b64encode(json.dumps(statement).encode()).decode(),
        "signatures": [{"keyid": "", "sig": "MEUCIQ=="}]}) + "\n")
    base = ("--level", "2", "--stage", "final", "--policy", str(policy),
            "--report", str(tmp_path / "clean.json"),
            "--report", str(tmp_path / "sbom.cdx.json"), "--subject", digest)
    p, d, _ = gate(tmp_path, *base, name="none")
    assert p.returncode == 1, p.stderr  # required, and nothing proves it
    assert conditions(d)["image signed and verified"] == (0, 1, False)
    p, d, _ = gate(tmp_path, *base, "--evidence", str(tmp_path / "verify.json"),
                   "--evidence", str(tmp_path / "attest.jsonl"), name="ok")
    assert p.returncode == 0, p.stderr
    assert conditions(d)["SBOM present"] == (1, 1, True)
    assert conditions(d)["attestation https://slsa.dev/provenance/v1"] == \
        (1, 1, True)
    # The same evidence for another image proves nothing about this one.
    other = ("--subject", "sha256:" + "cd" * 32)
    p, d, _ = gate(tmp_path, *base[:-2], *other, "--evidence",
                   str(tmp_path / "verify.json"), name="other")
    assert p.returncode == 1
    assert conditions(d)["image signed and verified"][0] == 0

