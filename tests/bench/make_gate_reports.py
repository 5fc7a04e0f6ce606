#!/usr/bin/env python3
"""Writes N reports holding M findings in all for tests/bench/gate.sh: dso
JSON and SARIF 2.1.0 in turn (SARIF as other tools write it, with rules,
levels and security-severity scores), a tenth of the findings repeated in
a second report (merged by fingerprint), plus a waivers file (200 waivers
by rule, advisory, package and path) and a baseline of a fifth of them.

  make_gate_reports.py OUT_DIR [--reports N] [--findings M]"""
import argparse
import json
import os
import random

SEVERITIES = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "INFO"]
LEVELS = {"CRITICAL": "error", "HIGH": "error", "MEDIUM": "warning",
          "LOW": "note", "INFO": "none"}
SCORES = {"CRITICAL": "9.5", "HIGH": "7.5", "MEDIUM": "5.0", "LOW": "2.0",
          "INFO": "0.0"}


def finding(rng, i):
    sev = rng.choice(SEVERITIES)
    return {"rule_id": f"RULE-{i % 500}", "severity": sev,
            "scanner": rng.choice(["deps", "sast", "iac"]),
            "title": f"finding {i}",
            "location": {"file": f"src/mod{i % 97}/file{i % 1009}.py",
                         "line": i % 400 + 1,
                         "package": f"pkg-{i % 300}", "version": "1.0"},
            "fingerprint": f"fp-{i:08d}",
            "references": [f"CVE-2026-{i % 9000 + 1000}"]}


def sarif(findings):
    rules = sorted({f["rule_id"] for f in findings})
    results = []
    for f in findings:
        r = {"ruleId": f["rule_id"], "level": LEVELS[f["severity"]],
             "message": {"text": f["title"]},
             "properties": {"security-severity": SCORES[f["severity"]]},
             "locations": [{"physicalLocation": {
                 "artifactLocation": {"uri": f["location"]["file"]},
                 "region": {"startLine": f["location"]["line"]}}}],
             "partialFingerprints": {"primaryLocationLineHash": f["fingerprint"]}}
        results.append(r)
    return {"version": "2.1.0", "$schema":
            "https://json.schemastore.org/sarif-2.1.0.json",
            "runs": [{"tool": {"driver": {"name": "BenchTool", "rules": [
                {"id": r, "defaultConfiguration": {"level": "warning"}}
                for r in rules]}}, "results": results}]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--reports", type=int, default=20)
    ap.add_argument("--findings", type=int, default=100000)
    a = ap.parse_args()
    rng = random.Random(7)
    os.makedirs(a.out, exist_ok=True)
    all_findings = [finding(rng, i) for i in range(a.findings)]
    per = a.findings // a.reports
    for n in range(a.reports):
        part = all_findings[n * per:(n + 1) * per]
        part += all_findings[((n + 1) % a.reports) * per:][:per // 10]  # repeats
        path = os.path.join(a.out, f"report-{n:02d}")
        if n % 2 == 0:
            with open(path + ".json", "w") as fh:
                json.dump({"tool": {"name": "dso"}, "findings": part}, fh)
        else:
            with open(path + ".sarif", "w") as fh:
                json.dump(sarif(part), fh)
    with open(os.path.join(a.out, "waivers.yaml"), "w") as fh:
        fh.write("waivers:\n")
        for i in range(200):
            key = ["rule: RULE-%d" % i, "advisory: CVE-2026-%d" % (i + 1000),
                   "package: pkg-%d" % i, 'path: "src/mod%d/*"' % (i % 97)][i % 4]
            fh.write(f"  - id: W-{i}\n    {key}\n    reason: bench\n"
                     f"    owner: bench@example.com\n"
                     f"    expires: {'2027-01-31' if i % 3 else '2026-01-31'}\n")
    with open(os.path.join(a.out, "baseline.json"), "w") as fh:
        json.dump({"findings": all_findings[: a.findings // 5]}, fh)


if __name__ == "__main__":
    main()
