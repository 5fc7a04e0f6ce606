"""A real Debian 12 base image (debootstrap --variant=minbase, built once
and cached under the build directory), an application built on it with
dsoctl build, and the result scanned: the Debian packages, the base's
setuid programs and package caches, a secret in the application layer —
each finding in the layer it comes from."""
import json
import subprocess
from pathlib import Path

import pytest

from conftest import BUILD, ROOT, dsoctl

AWS_KEY = "AKIAQYLPMN5HHHFPZAM2"


@pytest.fixture(scope="module")
def debian():
    cache = BUILD / "test-images"
    p = subprocess.run([str(ROOT / "tests/images/debian_base.sh"), str(cache)],
                       capture_output=True, text=True, timeout=1200)
    if p.returncode != 0:
        pytest.skip("debootstrap could not build a Debian image here: " +
                    p.stderr.strip()[-400:])
    return Path(p.stdout.strip())


def test_app_on_debian_is_scanned_layer_by_layer(make_agent, tmp_path,
                                                 debian):
    # A database directory a request names lies beneath the allowed roots.
    agent = make_agent(f"allowed_roots: ['{tmp_path}']\n").start()
    app = tmp_path / "app"
    app.mkdir()
    (app / "server.py").write_text(f'AWS = "{AWS_KEY}"\nprint("up")\n')
    built = dsoctl("build", "--context", str(app), "--base", str(debian),
                   "--out", str(tmp_path / "img"), "--user", "65532",
                   "--entrypoint", "python3 /app/server.py",
                   json_file=tmp_path / "build.json", agent=agent,
                   timeout=300, check=0).summary
    base_layer = json.loads(
        (debian / "index.json").read_text())["manifests"][0]["digest"]
    assert base_layer.startswith("sha256:")
    app_layer = built["outputs"]["image.layer"]

    p = dsoctl("scan", "--image", str(tmp_path / "img"), "--sbom",
               str(tmp_path / "sbom.json"), "--db", str(tmp_path / "no-db"),
               json_file=tmp_path / "scan.json", agent=agent, timeout=300,
               check=0)
    found = json.loads((tmp_path / "secrets.json").read_text())["findings"]
    by_rule = {}
    for f in found:
        by_rule.setdefault(f["rule_id"], []).append(f)
    [aws] = by_rule["aws-access-key-id"]
    assert aws["location"] == {**aws["location"], "file": "app/server.py",
                               "layer": app_layer}
    su = [f for f in by_rule["image-setuid-setgid"]
          if f["location"]["file"] == "usr/bin/su"]
    assert su and su[0]["location"]["layer"] != app_layer
    assert "image-runs-as-root" not in by_rule  # --user 65532
    assert "image-package-cache" in by_rule

    sbom = json.loads((tmp_path / "sbom.json").read_text())
    debs = {c["name"] for c in sbom["components"]
            if c.get("purl", "").startswith("pkg:deb/debian/")}
    assert {"bash", "coreutils", "glibc", "dpkg", "apt"} <= debs
    assert len(debs) >= 50
    assert all("distro=debian-12" in c.get("purl", "") for c in sbom["components"]
               if c.get("purl", "").startswith("pkg:deb/"))
