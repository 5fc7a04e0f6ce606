"""dsoctl scan --scanners iac (Dockerfiles so far), embedded and through a
real agent: findings with their resource and checkov id in SARIF and JSON,
--fail-on, unreadable and malformed files named, an image refused."""
import json
import os
import subprocess
from pathlib import Path

from conftest import dsoctl

BAD = """FROM ubuntu
MAINTAINER someone
EXPOSE 80 22
RUN apt-get update
RUN curl -fsSL https://get.example.com | sh
USER root
"""

GOOD = """# syntax=docker/dockerfile:1
FROM golang:1.22@sha256:0123 AS build
WORKDIR /src
RUN <<EOF
apt-get update && apt-get install -y git
EOF
FROM gcr.io/distroless/static:nonroot
COPY --from=build /app /app
USER 65532
HEALTHCHECK CMD ["/app", "health"]
ENTRYPOINT ["/app"]
"""


def make_tree(root: Path) -> Path:
    src = root / "src"
    (src / "svc").mkdir(parents=True)
    (src / "Dockerfile").write_text(BAD)
    (src / "svc/Dockerfile.prod").write_text(GOOD)
    (src / "svc/not-a-dockerfile.txt").write_text("FROM ubuntu\n")
    (src / "svc/web.Dockerfile").write_text("FROM alpine:3.19\n=oops\nUSER app\n"
                                            "HEALTHCHECK CMD true\n")
    return src


def findings_of(sarif):
    return sorted((r["ruleId"],
                   r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                   r["locations"][0]["physicalLocation"]["region"]["startLine"])
                  for r in sarif["runs"][0]["results"])


def scan(src, out, agent=None, extra=()):
    return dsoctl("scan", "--path", str(src), "--scanners", "iac",
                  "--sarif", str(out / "iac.sarif"), *extra, agent=agent,
                  json_file=out / "summary.json",
                  extra_global=[] if agent else ["--data-dir", str(out / "d")])


def test_dockerfile_checks_embedded_and_through_agent(agent, tmp_path):
    src = make_tree(tmp_path)
    expected = [
        ("DKR001", "Dockerfile", 3), ("DKR002", "Dockerfile", 1),
        ("DKR005", "Dockerfile", 4), ("DKR006", "Dockerfile", 2),
        ("DKR007", "Dockerfile", 1), ("DKR008", "Dockerfile", 6),
        ("DKR014", "Dockerfile", 5)]
    results = {}
    for where, a in (("embedded", None), ("agent", agent)):
        out = tmp_path / where
        p = scan(src, out, agent=a)
        assert p.returncode == 0, p.stderr
        assert p.summary["outcome"] == "SUCCEEDED"
        assert "iac: 3 files checked; 7 findings; 0 unreadable" in p.stderr
        # The malformed line is named; the rest of that file is checked.
        assert "warning: iac: svc/web.Dockerfile:2: '=oops' is not an " \
            "instruction" in p.stderr
        sarif = json.loads((out / "iac.sarif").read_text())
        results[where] = findings_of(sarif)
        assert results[where] == sorted(expected)
        by_rule = {r["ruleId"]: r for r in sarif["runs"][0]["results"]}
        expose = by_rule["DKR001"]["properties"]
        assert expose == {"scanner": "iac", "resource": "/Dockerfile.EXPOSE",
                          "checkov": "CKV_DOCKER_1"}
        assert by_rule["DKR002"]["properties"]["resource"] == "/Dockerfile."
        assert "checkov" not in by_rule["DKR014"]["properties"]
        rules = {r["id"]: r for r in sarif["runs"][0]["tool"]["driver"]["rules"]}
        assert rules["DKR007"]["properties"]["checkov"] == "CKV_DOCKER_7"
        assert rules["DKR008"]["defaultConfiguration"]["level"] == "error"
    assert results["embedded"] == results["agent"]


def test_fail_on_and_fingerprints_that_survive_moved_lines(tmp_path):
    src = make_tree(tmp_path)
    out = tmp_path / "a"
    p = scan(src, out, extra=["--fail-on", "high"])
    assert p.returncode == 1, p.stderr
    assert p.summary["outcome"] == "POLICY_FAILED"
    first = json.loads((out / "iac.sarif").read_text())
    # Two blank lines at the top move every instruction.
    (src / "Dockerfile").write_text("\n\n" + BAD)
    second_out = tmp_path / "b"
    assert scan(src, second_out).returncode == 0
    second = json.loads((second_out / "iac.sarif").read_text())

    def prints(s):
        return sorted(r["partialFingerprints"]["primaryLocationLineHash"]
                      for r in s["runs"][0]["results"])
    assert prints(first) == prints(second)


def test_iac_reads_directories_not_images(tmp_path):
    p = dsoctl("scan", "--image", str(tmp_path / "x.tar"), "--scanners", "iac",
               extra_global=["--data-dir", str(tmp_path / "d")])
    assert p.returncode != 0
    assert "iac" in p.stderr


# Dockerfiles for the side-by-side with checkov: every check with a checkov
# id fails somewhere, and the cases where the two differ on purpose.
AGREEMENT = {
    "a/Dockerfile": "FROM ubuntu:22.04\nUSER app\nHEALTHCHECK CMD true\n"
                    "WORKDIR app\nADD https://x/y /y\nRUN apt install -y curl\n"
                    "RUN sudo ls\nRUN curl https://x | sh\nEXPOSE 8080 22\n"
                    "MAINTAINER me\nRUN apk update\n",
    "b/Dockerfile": "FROM a:1 AS x\nFROM b:1 AS y\nFROM y\nFROM nginx:latest\n"
                    "FROM scratch\nFROM registry:5000/team/app\nUSER root\n",
    "c/Dockerfile.prod": "FROM alpine:3\n",
    "d/web.Dockerfile": "FROM alpine:3\nUSER app\n",
    "e/Dockerfile": "FROM a:1 AS x\nFROM b:1 AS x\nUSER app\nHEALTHCHECK NONE\n",
    "f/Dockerfile": "FROM a:1\nUSER 0:0\nHEALTHCHECK CMD true\n",
    "g/Dockerfile": "FROM a:1 as x\nFROM b:1 as x\nUSER app\n",
    "h/Dockerfile": "FROM a:1\nRUN apt-get update\nUSER app\n",
}
# (checkov id, resource) pairs dso finds and checkov 3.3.30 does not, each
# for a reason (docs/iac.md):
ONLY_DSO = {
    # UID 0 is root whatever its name; checkov compares the USER with "root".
    ("CKV_DOCKER_8", "/f/Dockerfile.USER"),
    # Keywords are case-insensitive; checkov looks for " as " in lower case.
    ("CKV_DOCKER_11", "/e/Dockerfile.FROM"),
    # `RUN apk update` alone leaves a stale index in its layer; checkov
    # counts updates against installs over the whole file, and the file
    # installs elsewhere.
    ("CKV_DOCKER_5", "/a/Dockerfile.RUN"),
}


def test_findings_agree_with_checkov(tmp_path):
    venv = Path(os.environ.get("DSO_TOOLS_VENV",
                               Path.home() / ".cache/dso/venv"))
    checkov = venv / "bin/checkov"
    assert checkov.exists(), "scripts/setup.sh installs checkov"
    src = tmp_path / "src"
    for name, text in AGREEMENT.items():
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        (src / name).write_text(text)
    run = subprocess.run([str(checkov), "-d", str(src), "--framework",
                          "dockerfile", "-o", "json", "--quiet"],
                         capture_output=True, text=True, timeout=300)
    report = json.loads(run.stdout)
    theirs = {(c["check_id"], c["resource"])
              for r in (report if isinstance(report, list) else [report])
              for c in r["results"].get("failed_checks", [])}
    out = tmp_path / "dso"
    assert scan(src, out).returncode == 0
    sarif = json.loads((out / "iac.sarif").read_text())
    ours = {(r["properties"]["checkov"], r["properties"]["resource"])
            for r in sarif["runs"][0]["results"]
            if "checkov" in r["properties"]}
    assert len(theirs) >= 14  # checkov did read the files
    assert ours - theirs == ONLY_DSO
    assert theirs - ours == set()


def test_invalid_utf8_in_a_dockerfile_or_its_name_is_reported(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "Dockerfile").write_bytes(b"FROM ubuntu\xff\xfe\nUSER \xc3\n")
    out = tmp_path / "out"
    p = scan(src, out)
    assert p.returncode == 0, p.stderr
    assert p.summary["outcome"] == "SUCCEEDED"
    sarif = json.loads((out / "iac.sarif").read_text())
    assert {r["ruleId"] for r in sarif["runs"][0]["results"]} >= {"DKR007"}


def test_the_gate_judges_iac_findings(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "Dockerfile").write_text("FROM ubuntu\nEXPOSE 22\n")
    out = tmp_path / "out"
    assert scan(src, out).returncode == 0
    decision_file = tmp_path / "gate.json"
    p = dsoctl("gate", "--level", "2", "--report", str(out / "iac.sarif"),
               "--decision", str(decision_file),
               extra_global=["--data-dir", str(tmp_path / "d")])
    # DKR007, DKR001, DKR003 (MEDIUM) and DKR002 (LOW): over level 2's
    # allowance of MEDIUM findings.
    assert p.returncode == 1, p.stderr
    decision = json.loads(decision_file.read_text())
    assert decision["inputs"]["findings_read"] == 4
    assert decision["counts"]["MEDIUM"] == 3
