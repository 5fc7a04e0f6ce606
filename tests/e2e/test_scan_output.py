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
