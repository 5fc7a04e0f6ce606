"""dsoctl build: a reproducible OCI image from a context and a base, through
the agent (inputs by path or shipped as tars) and embedded, read back by a
real OCI tool (skopeo), and bad inputs refused with exit 2."""
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import dsoctl

EPOCH = {"SOURCE_DATE_EPOCH": "1700000000"}


def skopeo(*args):
    assert shutil.which("skopeo"), "skopeo missing: run scripts/setup.sh"
    p = subprocess.run(["skopeo", *args], capture_output=True, text=True,
                       timeout=60)
    assert p.returncode == 0, p.stderr
    return p.stdout


@pytest.fixture
def context(tmp_path):
    ctx = tmp_path / "ctx"
    (ctx / "bin").mkdir(parents=True)
    (ctx / "app.py").write_text("print('hello')\n")
    run = ctx / "bin" / "run"
    run.write_text("#!/bin/sh\nexec python3 /app/app.py\n")
    run.chmod(0o755)
    return ctx


def build(tmp_path, context, out, *extra, agent=None, env=EPOCH, check=0):
    summary = tmp_path / f"{out}.json"
    p = dsoctl("build", "--context", str(context), "--out",
               str(tmp_path / out), *extra, agent=agent, json_file=summary,
               env=env, check=check)
    return p


def test_same_inputs_same_digest_through_agent_and_embedded(
        agent, tmp_path, context):
    args = ["--entrypoint", "/app/bin/run", "--user", "65532:65532",
            "--env", "MODE=prod", "--expose", "8080", "--tag", "demo:1",
            "--label", "org.opencontainers.image.source=https://example.com/demo"]
    first = build(tmp_path, context, "a", *args, agent=agent).summary
    second = build(tmp_path, context, "b", *args).summary  # embedded
    digest = first["outputs"]["image.digest"]
    assert digest.startswith("sha256:")
    assert second["outputs"]["image.digest"] == digest
    assert first["reports"]["image.oci.tar"] == str(tmp_path / "a")
    # Another time stamp, another image.
    third = build(tmp_path, context, "c", *args,
                  env={"SOURCE_DATE_EPOCH": "1700000001"}).summary
    assert third["outputs"]["image.digest"] != digest

    # skopeo reads the layout and sees what was asked for.
    raw = json.loads(skopeo("inspect", "--raw", f"oci:{tmp_path / 'a'}:demo:1"))
    assert raw["mediaType"] == "application/vnd.oci.image.manifest.v1+json"
    config = json.loads(skopeo("inspect", "--config",
                               f"oci:{tmp_path / 'a'}:demo:1"))
    assert config["config"]["User"] == "65532:65532"
    assert config["config"]["Entrypoint"] == ["/app/bin/run"]
    assert "MODE=prod" in config["config"]["Env"]
    assert "8080/tcp" in config["config"]["ExposedPorts"]
    assert config["created"] == "2023-11-14T22:13:20Z"
    # ... and copies it, checking every digest on the way.
    skopeo("copy", "-q", f"oci:{tmp_path / 'a'}:demo:1",
           f"dir:{tmp_path / 'copy'}")
    files = {p.name for p in (tmp_path / "copy").iterdir()}
    assert digest.removeprefix("sha256:") not in files  # dir: names by layer
    assert "manifest.json" in files
    layer = subprocess.run(
        ["tar", "-tvzf", str(tmp_path / "copy" /
                             first["outputs"]["image.layer"].removeprefix(
                                 "sha256:"))],
        capture_output=True, text=True, check=True).stdout
    assert "app/bin/run" in layer and "2023-11-14" in layer


def test_docker_archive_and_base_images(agent, tmp_path, context):
    base = build(tmp_path, context, "base", "--tag", "base",
                 "--env", "PATH=/usr/bin", "--docker-archive",
                 str(tmp_path / "base.tar"), agent=agent).summary
    assert base["reports"]["image.docker.tar"] == str(tmp_path / "base.tar")
    inspected = json.loads(skopeo("inspect",
                                  f"docker-archive:{tmp_path / 'base.tar'}"))
    assert len(inspected["Layers"]) == 1

    app = tmp_path / "app"
    app.mkdir()
    (app / "main.txt").write_text("app\n")
    for name, base_arg in [("on-layout", tmp_path / "base"),
                           ("on-archive", tmp_path / "base.tar")]:
        s = build(tmp_path, app, name, "--base", str(base_arg),
                  "--app-dir", "/srv", "--env", "MODE=x", agent=agent).summary
        config = json.loads(skopeo("inspect", "--config",
                                   f"oci:{tmp_path / name}"))
        assert len(config["rootfs"]["diff_ids"]) == 2, name
        assert config["config"]["Env"] == ["PATH=/usr/bin", "MODE=x"]
        assert config["config"]["WorkingDir"] == "/srv"
        assert s["outputs"]["image.layer"] != base["outputs"]["image.layer"]


def test_inputs_travel_as_tars_to_an_agent_that_cannot_read_them(
        make_agent, tmp_path, context):
    remote = make_agent("allowed_roots: [/nonexistent]\n").start()
    base = build(tmp_path, context, "base", "--docker-archive",
                 str(tmp_path / "base.tar")).summary
    s = build(tmp_path, context, "app", "--base", str(tmp_path / "base.tar"),
              agent=remote).summary
    same = build(tmp_path, context, "app2", "--base",
                 str(tmp_path / "base.tar")).summary
    assert s["outputs"]["image.digest"] == same["outputs"]["image.digest"]
    assert base["outputs"]["image.layer"] in json.dumps(
        json.loads(skopeo("inspect", "--raw", f"oci:{tmp_path / 'app'}")))


def test_rebuild_replaces_a_layout_but_nothing_else(tmp_path, context):
    build(tmp_path, context, "img")
    build(tmp_path, context, "img", "--tag", "v2")
    index = json.loads((tmp_path / "img" / "index.json").read_text())
    assert index["manifests"][0]["annotations"][
        "org.opencontainers.image.ref.name"] == "v2"
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "keep.txt").write_text("mine")
    p = build(tmp_path, context, "notes", check=2)
    assert "exists and is not an OCI image layout" in p.stderr
    assert (tmp_path / "notes" / "keep.txt").read_text() == "mine"


@pytest.mark.parametrize("extra,message", [
    (["--base", "/nonexistent/base"], "--base '/nonexistent/base' does not exist"),
    (["--file", "app.py"], "is not SRC:/DEST[:MODE]"),
    (["--file", "app.py:/etc/x:99"], "not octal"),
    (["--env", "NOVALUE"], "--env 'NOVALUE' is not NAME=VALUE"),
    (["--entrypoint", "[1]"], "is not a JSON array of strings"),
    (["--app-dir", "relative"], "must be an absolute path"),
])
def test_bad_usage_exits_2_naming_the_option(agent, tmp_path, context, extra,
                                             message):
    p = build(tmp_path, context, "x", *extra, agent=agent, check=2)
    assert message in p.stderr
    assert not (tmp_path / "x").exists()


def test_bad_base_images_are_refused_by_name(agent, tmp_path, context):
    build(tmp_path, context, "base")
    layout = tmp_path / "base"
    index = json.loads((layout / "index.json").read_text())
    manifest_file = layout / "blobs" / "sha256" / \
        index["manifests"][0]["digest"].removeprefix("sha256:")
    manifest_file.write_text("{}")
    p = build(tmp_path, context, "x", "--base", str(layout), agent=agent,
              check=2)
    assert "does not match its digest" in p.stderr
    (tmp_path / "junk.tar").write_bytes(os.urandom(4096))
    p = build(tmp_path, context, "y", "--base", str(tmp_path / "junk.tar"),
              agent=agent, check=2)
    assert "junk.tar" in p.stderr
    # (Embedded, reading the context in place: a tar to an agent carries
    # only files, directories and links.)
    os.mkfifo(context / "pipe")
    p = build(tmp_path, context, "z", check=2)
    assert "pipe" in p.stderr and "not a file, directory or symbolic link" \
        in p.stderr
