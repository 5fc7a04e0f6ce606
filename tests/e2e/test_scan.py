"""dsoctl scan --scanners secrets through a real agent (the input goes as a
tar, the agent has no allowed roots) and embedded: findings, masking
everywhere, reports, exit codes, gitleaks configs."""
import json
import os
from pathlib import Path

from conftest import dsoctl

REPO = Path(__file__).resolve().parents[2]
GITLEAKS_TOML = REPO / "tests/fixtures/gitleaks/gitleaks.toml"
# Assembled here so this file holds no token itself.
PAT = "ghp_" + "Zq8vN3kLm2Rt7Yw1Xc5Bd9Fg4Hj6Kp0Sa2Ue"
SLACK = "xoxb-" + "1234567890123-1234567890123-" + "AbCdEfGhIjKlMnOpQrStUvWx"


def make_tree(root: Path) -> Path:
    src = root / "src"
    (src / "app").mkdir(parents=True)
    (src / "app/settings.py").write_text(
        f'import os\nGITHUB_TOKEN = "{PAT}"\nDEBUG = False\n')
    (src / "app/notify.js").write_text(
        f"const slack = '{SLACK}';\n// const example = 'AKIAIOSFODNN7EXAMPLE';\n")
    (src / "README.md").write_text("nothing to see\n")
    (src / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\0\0" + PAT.encode())
    return src


def test_scan_through_agent_finds_masks_and_reports(agent, tmp_path):
    src = make_tree(tmp_path)
    out = tmp_path / "out"
    p = dsoctl("scan", "--path", str(src), "--scanners", "secrets",
               "--format", "gitleaks", "--report", str(out / "gl.json"),
               agent=agent, json_file=out / "summary.json")
    assert p.returncode == 0, p.stderr  # no --fail-on: findings don't fail
    s = p.summary
    assert s["step"] == "scan" and s["outcome"] == "SUCCEEDED"
    assert s["counts"]["CRITICAL"] == 2
    assert "github-pat app/settings.py:2" in p.stderr
    assert "slack-bot-token app/notify.js:1" in p.stderr
    # Reports: SARIF beside the summary, gitleaks JSON where asked. The
    # reports are named findings.*; their old names (secrets.*) still work
    # until the next release: a link beside the report, a summary key.
    sarif = json.loads((out / "findings.sarif").read_text())
    assert (out / "secrets.sarif").is_symlink()
    assert os.readlink(out / "secrets.sarif") == "findings.sarif"
    assert s["reports"]["findings.sarif"] == str(out / "findings.sarif")
    assert s["reports"]["secrets.sarif"] == s["reports"]["findings.sarif"]
    assert s["reports"]["findings-gitleaks.json"] == str(out / "gl.json")
    assert sarif["version"] == "2.1.0"
    results = sarif["runs"][0]["results"]
    assert {r["ruleId"] for r in results} == {"github-pat", "slack-bot-token"}
    gl = json.loads((out / "gl.json").read_text())
    assert [f["Fingerprint"] for f in gl] == [
        "app/notify.js:slack-bot-token:1", "app/settings.py:github-pat:2"]
    assert gl[1]["StartLine"] == 2 and gl[1]["StartColumn"] == 17
    assert gl[1]["Secret"].startswith("ghp_*****[40 chars, sha256:")
    # The secrets appear nowhere: output, summary, reports, agent log and
    # journals.
    places = [p.stdout, p.stderr, (out / "summary.json").read_text(),
              (out / "findings.sarif").read_text(), (out / "gl.json").read_text(),
              agent.log_path.read_text()]
    places += [f.read_bytes().decode("latin-1")
               for f in (agent.data_dir / "runs").glob("*.journal")]
    for text in places:
        assert PAT not in text and SLACK not in text


def test_fail_on_and_ignore_file(agent, tmp_path):
    src = make_tree(tmp_path)
    p = dsoctl("scan", "--path", str(src), "--fail-on", "critical",
               agent=agent, json_file=tmp_path / "s.json")
    assert p.returncode == 1, p.stderr
    assert p.summary["outcome"] == "POLICY_FAILED"
    ignore = tmp_path / "ignore"
    ignore.write_text("# reviewed, rotated\napp/settings.py:github-pat:2\n")
    (src / ".gitleaksignore").write_text("app/notify.js:slack-bot-token:1\n")
    p = dsoctl("scan", "--path", str(src), "--fail-on", "critical",
               "--ignore-file", str(ignore), agent=agent)
    assert p.returncode == 0, p.stderr


def test_embedded_and_agent_find_the_same(agent, tmp_path):
    src = make_tree(tmp_path)
    a = dsoctl("scan", "--path", str(src), "--sarif", str(tmp_path / "a.sarif"),
               agent=agent)
    e = dsoctl("scan", "--path", str(src), "--sarif", str(tmp_path / "e.sarif"),
               extra_global=["--data-dir", str(tmp_path / "embedded")])
    assert a.returncode == 0 and e.returncode == 0, e.stderr

    def results(path):
        return [(r["ruleId"], json.dumps(r["locations"]),
                 r["partialFingerprints"])
                for r in json.loads(path.read_text())["runs"][0]["results"]]
    assert results(tmp_path / "a.sarif") == results(tmp_path / "e.sarif")
    assert len(results(tmp_path / "a.sarif")) == 2


def test_gitleaks_default_config_works_unchanged(agent, tmp_path):
    src = make_tree(tmp_path)
    p = dsoctl("scan", "--path", str(src), "--config", str(GITLEAKS_TOML),
               "--format", "gitleaks", "--report", str(tmp_path / "gl.json"),
               agent=agent)
    assert p.returncode == 0, p.stderr
    rules = {f["RuleID"] for f in json.loads((tmp_path / "gl.json").read_text())}
    assert {"github-pat", "slack-bot-token"} <= rules


def test_bad_input_is_exit_2_naming_the_problem(agent, tmp_path):
    src = make_tree(tmp_path)
    bad = tmp_path / "bad.toml"
    bad.write_text('[[rules]]\nid = "mine"\nregex = """(unclosed"""\n')
    p = dsoctl("scan", "--path", str(src), "--config", str(bad), agent=agent)
    assert p.returncode == 2
    assert "bad.toml:3: rule 'mine': 'regex' does not compile" in p.stderr
    p = dsoctl("scan", "--path", str(src), "--scanners", "secrets,nope",
               agent=agent)
    assert p.returncode == 2 and "scanner 'nope'" in p.stderr
    p = dsoctl("scan", "--path", str(tmp_path / "missing"), agent=agent)
    assert p.returncode == 2 and "missing" in p.stderr
    p = dsoctl("scan", "--path", str(src), "--fail-on", "severe", agent=agent)
    assert p.returncode == 2 and "--fail-on" in p.stderr


def test_git_history_through_agent(agent, tmp_path):
    import subprocess
    repo = tmp_path / "repo"
    repo.mkdir()

    def git(*args):
        subprocess.run(["git", "-C", str(repo), *args], check=True,
                       capture_output=True)
    git("init", "-q")
    git("config", "user.name", "Dev One")
    git("config", "user.email", "dev@example.org")
    (repo / "app.py").write_text(f'TOKEN = "{PAT}"\n')
    git("add", "-A")
    git("commit", "-q", "-m", "oops")
    (repo / "app.py").write_text('TOKEN = os.environ["TOKEN"]\n')
    git("commit", "-q", "-am", "use the environment")
    # The working tree is clean; only history holds the token.
    clean = dsoctl("scan", "--path", str(repo), "--fail-on", "high",
                   agent=agent)
    assert clean.returncode == 0, clean.stderr
    p = dsoctl("scan", "--path", str(repo), "--git", "--fail-on", "high",
               "--format", "gitleaks", "--report", str(tmp_path / "gl.json"),
               agent=agent)
    assert p.returncode == 1, p.stderr
    (f,) = json.loads((tmp_path / "gl.json").read_text())
    assert f["RuleID"] == "github-pat" and f["Message"] == "oops"
    assert f["Author"] == "Dev One" and len(f["Commit"]) == 40
    assert PAT not in p.stderr and PAT not in (tmp_path / "gl.json").read_text()
    p = dsoctl("scan", "--path", str(repo), "--git", "--since", "HEAD",
               "--fail-on", "high", agent=agent)
    assert p.returncode == 0, p.stderr


def test_stdin_for_pre_commit_hooks(agent, tmp_path):
    import subprocess
    from conftest import DSOCTL_BIN
    p = subprocess.run(
        [str(DSOCTL_BIN), "--agent", agent.address, "scan", "--path", "-",
         "--fail-on", "high", "--format", "gitleaks", "--report",
         str(tmp_path / "gl.json")],
        input=f"+TOKEN = '{PAT}'\n", capture_output=True, text=True)
    assert p.returncode == 1, p.stderr
    (f,) = json.loads((tmp_path / "gl.json").read_text())
    assert f["File"] == "stdin" and f["StartLine"] == 1
    assert PAT not in p.stderr
    empty = subprocess.run(
        [str(DSOCTL_BIN), "--agent", agent.address, "scan", "--path", "-",
         "--fail-on", "high"], input="", capture_output=True, text=True)
    assert empty.returncode == 0, empty.stderr


def test_gitignore_only_when_asked(agent, make_agent, tmp_path):
    import subprocess
    repo = tmp_path / "repo"
    (repo / "dist").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (repo / ".gitignore").write_text("dist/\n")
    (repo / "dist/bundle.js").write_text(f"const t = '{PAT}';\n")
    found = dsoctl("scan", "--path", str(repo), "--fail-on", "high",
                   agent=agent)
    assert found.returncode == 1, found.stderr
    ignored = dsoctl("scan", "--path", str(repo), "--gitignore",
                     "--fail-on", "high", agent=agent)
    assert ignored.returncode == 0, ignored.stderr
    assert "1 gitignored" in ignored.stderr
    # Sent as a tar without the repository around it (an agent that takes
    # no handed-over directories): a clear error.
    tars = make_agent("input_handles: false\n", name="tars").start()
    outside = dsoctl("scan", "--path", str(tmp_path / "repo/dist"),
                     "--gitignore", agent=tars)
    assert outside.returncode == 2
    assert "needs a git repository" in outside.stderr


def test_config_that_is_no_rule_file(agent, tmp_path):
    src = make_tree(tmp_path)
    p = dsoctl("scan", "--path", str(src), "--config", str(tmp_path),
               agent=agent)
    assert p.returncode == 2 and "is a directory" in p.stderr
    empty = tmp_path / "empty.toml"
    empty.write_text("")
    p = dsoctl("scan", "--path", str(src), "--config", str(empty), agent=agent)
    assert p.returncode == 2 and "defines no rules" in p.stderr


def test_a_file_name_that_is_not_utf8_does_not_stop_the_reports(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / os.fsdecode(b"app\xff.py")).write_text(f'TOKEN = "{PAT}"\n')
    out = tmp_path / "out"
    p = dsoctl("scan", "--path", str(src), "--scanners", "secrets",
               "--sarif", str(out / "s.sarif"), "--format", "gitleaks",
               "--report", str(out / "gl.json"), json_file=out / "s.json",
               extra_global=["--data-dir", str(tmp_path / "d")])
    assert p.returncode == 0, p.stderr
    assert p.summary["outcome"] == "SUCCEEDED"
    sarif = json.loads((out / "s.sarif").read_text())
    uri = sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"][
        "artifactLocation"]["uri"]
    assert uri.startswith("app")
    assert json.loads((out / "gl.json").read_text())[0]["RuleID"] == "github-pat"
