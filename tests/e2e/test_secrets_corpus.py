"""The labeled secret corpus (tests/fixtures/secrets): dso's default rules
find every planted secret and nothing else; with gitleaks' default config
the engine finds what that config describes, with no false positives."""
import json
import subprocess
import sys
from pathlib import Path

from conftest import dsoctl

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def score(corpus, report):
    out = subprocess.run(
        [sys.executable, str(FIXTURES / "secrets/score.py"),
         str(corpus / "labels.json"), str(report)],
        check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def scan(corpus, tmp_path, *extra):
    report = tmp_path / "report.json"
    p = dsoctl("scan", "--path", str(corpus), "--format", "gitleaks",
               "--report", str(report), *extra,
               extra_global=["--data-dir", str(tmp_path / "data")])
    assert p.returncode == 0, p.stderr
    return score(corpus, report)


def test_labeled_corpus(tmp_path):
    corpus = tmp_path / "corpus"
    subprocess.run([sys.executable, str(FIXTURES / "secrets/make_corpus.py"),
                    str(corpus)], check=True)
    labels = json.loads((corpus / "labels.json").read_text())
    assert sum(len(v) for v in labels.values()) >= 30
    ours = scan(corpus, tmp_path)
    assert ours["missed"] == [] and ours["false_positives"] == [], ours
    theirs = scan(corpus, tmp_path, "--config",
                  str(FIXTURES / "gitleaks/gitleaks.toml"))
    assert theirs["false_positives"] == [], theirs
    assert theirs["recall"] >= 0.9, theirs
