"""dsoctl scan --image: images built by dso, by hand (whiteouts, hostile
layers) and by skopeo (docker archive), scanned through the agent and
embedded — secrets in every layer (deleted files too) and in the config,
installed and OS packages matched against advisories, image checks, layer
digests on every finding, bad inputs refused."""
import gzip
import hashlib
import io
import json
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

from conftest import dsoctl

OSV = Path(__file__).resolve().parent / "data" / "osv"
AWS_KEY = "AKIAQYLPMN5HHHFPZAM2"
STATUS = ("Package: zlib1g\nStatus: install ok installed\nSource: zlib\n"
          "Version: 1:1.2.13.dfsg-1\nArchitecture: amd64\n\n")


def tar_layer(entries):
    """A gzip'd tar of (name, type, mode, data) entries; returns (blob, diff_id)."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as t:
        for name, kind, mode, data in entries:
            info = tarfile.TarInfo(name)
            info.mode = mode
            if kind == "dir":
                info.type = tarfile.DIRTYPE
            elif kind == "link":
                info.type = tarfile.SYMTYPE
                info.linkname = data
            elif kind == "chr":
                info.type = tarfile.CHRTYPE
            else:
                info.size = len(data)
            t.addfile(info, io.BytesIO(data) if kind == "file" else None)
    tar = raw.getvalue()
    return gzip.compress(tar, mtime=0), "sha256:" + hashlib.sha256(tar).hexdigest()


def write_layout(out: Path, layers, config_extra=None, tag="t"):
    """An OCI layout of gzip'd layers, written by hand."""
    blobs = out / "blobs" / "sha256"
    blobs.mkdir(parents=True)

    def put(data: bytes):
        digest = hashlib.sha256(data).hexdigest()
        (blobs / digest).write_bytes(data)
        return {"digest": "sha256:" + digest, "size": len(data)}

    descs, diff_ids = [], []
    for entries in layers:
        blob, diff_id = tar_layer(entries)
        descs.append({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                      **put(blob)})
        diff_ids.append(diff_id)
    config = {"architecture": "amd64", "os": "linux",
              "rootfs": {"type": "layers", "diff_ids": diff_ids},
              "config": config_extra or {}}
    manifest = {"schemaVersion": 2,
                "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                           **put(json.dumps(config).encode())},
                "layers": descs}
    m = put(json.dumps(manifest).encode())
    (out / "oci-layout").write_text('{"imageLayoutVersion":"1.0.0"}')
    (out / "index.json").write_text(json.dumps({
        "schemaVersion": 2, "manifests": [{
            "mediaType": "application/vnd.oci.image.manifest.v1+json", **m,
            "annotations": {"org.opencontainers.image.ref.name": tag}}]}))
    return [d["digest"] for d in descs]


def findings(path: Path):
    return json.loads(path.read_text())["findings"]


def scan(tmp_path, image, name, *extra, agent=None, check=0):
    out = tmp_path / name
    out.mkdir()
    p = dsoctl("scan", "--image", str(image), *extra, agent=agent,
               json_file=out / "summary.json", check=check)
    return p, out


@pytest.fixture
def db(tmp_path):
    d = tmp_path / "db"
    dsoctl("db", "import", "--db", str(d), str(OSV), check=0)
    return d


@pytest.fixture
def layered(tmp_path):
    """Two layers: the second deletes the first's .env; config leaks a token."""
    image = tmp_path / "layered"
    meta = b"Metadata-Version: 2.1\nName: requests\nVersion: 2.30.0\n\n"
    digests = write_layout(image, [
        [("usr/lib/os-release", "file", 0o644, b'ID=debian\nVERSION_ID="12"\n'),
         ("var/lib/dpkg/status", "file", 0o644, STATUS.encode()),
         ("usr/lib/python3/dist-packages/requests-2.30.0.dist-info/METADATA",
          "file", 0o644, meta),
         ("app/.env", "file", 0o600, f"aws_access_key_id = {AWS_KEY}\n".encode()),
         ("usr/bin/helper", "file", 0o4755, b"#!/bin/sh\n"),
         ("var/cache/apt/archives/zlib1g.deb", "file", 0o644, b"!<arch>\n")],
        [("app/.wh..env", "file", 0o644, b""),
         ("app/shared.log", "file", 0o666, b"log\n")],
    ], config_extra={"Env": ["PATH=/usr/bin",
                             "GITHUB_TOKEN=ghp_012345678901234567890123456789abcdef"],
                     "User": "0"})
    return image, digests


def test_layers_config_packages_and_checks_through_agent_and_embedded(
        make_agent, tmp_path, layered, db):
    # A database directory a request names lies beneath the allowed roots.
    agent = make_agent(f"allowed_roots: ['{db}']\n").start()
    image, digests = layered
    results = {}
    for name, via in [("via-agent", agent), ("embedded", None)]:
        p, out = scan(tmp_path, image, name, "--db", str(db), agent=via)
        results[name] = findings(out / "secrets.json")
        assert p.summary["outcome"] == "SUCCEEDED"
    fs = results["via-agent"]
    assert sorted((f["rule_id"], f["location"].get("file")) for f in fs) == \
        sorted((f["rule_id"], f["location"].get("file"))
               for f in results["embedded"])
    by_rule = {}
    for f in fs:
        by_rule.setdefault(f["rule_id"], []).append(f)
    # The deleted file's secret, found in the layer that still holds it.
    [aws] = by_rule["aws-access-key-id"]
    assert aws["location"]["file"] == "app/.env"
    assert aws["location"]["layer"] == digests[0]
    assert AWS_KEY not in json.dumps(fs)
    [token] = by_rule["github-pat"]
    assert token["location"]["file"] == "config:Env"
    # Installed Python package with a known advisory, found in its layer.
    vulns = [f for f in fs if f["location"].get("package") == "requests"]
    assert vulns and all(v["location"]["layer"] == digests[0] for v in vulns)
    assert any("GHSA-j8r2-6x86-q33q" in json.dumps(v) for v in vulns)
    # Image checks.
    assert by_rule["image-runs-as-root"][0]["severity"] == "MEDIUM"
    assert by_rule["image-setuid-setgid"][0]["location"]["file"] == \
        "usr/bin/helper"
    ww = by_rule["image-world-writable"][0]
    assert ww["location"]["file"] == "app/shared.log"
    assert ww["location"]["layer"] == digests[1]
    assert by_rule["image-package-cache"][0]["location"]["file"] == \
        "var/cache/apt/archives"
    assert "image-no-healthcheck" in by_rule


def test_sbom_of_an_image_and_scanner_choice(tmp_path, layered, db):
    image, _ = layered
    p, out = scan(tmp_path, image, "sbom", "--db", str(db), "--scanners",
                  "image", "--sbom", str(tmp_path / "sbom.json"))
    rules = {f["rule_id"] for f in findings(out / "secrets.json")}
    # No secrets scanner; the SBOM brings the package inventory along.
    assert "aws-access-key-id" not in rules and "github-pat" not in rules
    assert "image-runs-as-root" in rules and "PYSEC-2023-74" in rules
    sbom = json.loads((tmp_path / "sbom.json").read_text())
    purls = {c["purl"] for c in sbom["components"] if "purl" in c}
    assert "pkg:pypi/requests@2.30.0" in purls
    assert any(p.startswith("pkg:deb/debian/zlib@") for p in purls)
    assert sbom["metadata"]["component"]["name"] == "t"


def test_hostile_layers_are_reported_and_nothing_is_written(agent, tmp_path):
    image = tmp_path / "hostile"
    write_layout(image, [[
        ("../../../../tmp/dso-evil-marker", "file", 0o644, b"x"),
        ("app/escape", "link", 0o777, "../../../../etc/shadow"),
        ("dev/sda", "chr", 0o660, b""),
        ("app/ok.txt", "file", 0o644, b"fine\n")]])
    p, out = scan(tmp_path, image, "hostile-out", "--scanners", "image",
                  agent=agent)
    rules = {(f["rule_id"], f["location"]["file"])
             for f in findings(out / "secrets.json")}
    assert ("image-layer-path-traversal",
            "../../../../tmp/dso-evil-marker") in rules
    assert ("image-layer-link-escapes", "app/escape") in rules
    assert ("image-layer-device-file", "dev/sda") in rules
    assert not Path("/tmp/dso-evil-marker").exists()


def test_docker_archives_from_dso_and_skopeo(tmp_path):
    ctx = tmp_path / "ctx"
    (ctx / "app").mkdir(parents=True)
    (ctx / "app" / "settings.py").write_text(f'KEY = "{AWS_KEY}"\n')
    dsoctl("build", "--context", str(ctx), "--app-dir", "/", "--out",
           str(tmp_path / "img"), "--tag", "demo:1", "--docker-archive",
           str(tmp_path / "dso.tar"), check=0)
    assert shutil.which("skopeo"), "skopeo missing: run scripts/setup.sh"
    subprocess.run(["skopeo", "copy", "-q", f"oci:{tmp_path / 'img'}:demo:1",
                    f"docker-archive:{tmp_path / 'skopeo.tar'}:demo:1"],
                   check=True, timeout=60)
    for name, image in [("dso", tmp_path / "dso.tar"),
                        ("skopeo", tmp_path / "skopeo.tar"),
                        ("tagged", f"{tmp_path / 'img'}:demo:1")]:
        p, out = scan(tmp_path, image, name, "--scanners", "secrets")
        [f] = findings(out / "secrets.json")
        assert f["location"]["file"] == "app/settings.py", name
        assert f["location"]["layer"].startswith("sha256:"), name


@pytest.mark.parametrize("what,message", [
    ("missing", "is neither an OCI layout directory nor a docker archive"),
    ("junk", "junk.tar"),
    ("tag", "has no image tagged 'nope'"),
])
def test_bad_images_exit_2_naming_the_problem(agent, tmp_path, layered, what,
                                             message):
    image, _ = layered
    arg = {"missing": str(tmp_path / "none"),
           "junk": str(tmp_path / "junk.tar"),
           "tag": f"{image}:nope"}[what]
    (tmp_path / "junk.tar").write_bytes(b"\x00" * 300 + b"not a tar")
    p, _ = scan(tmp_path, arg, what, agent=agent, check=2)
    assert message in p.stderr


def test_path_and_image_together_is_usage_error(tmp_path, layered):
    image, _ = layered
    p = dsoctl("scan", "--path", str(tmp_path), "--image", str(image),
               check=2)
    assert "--path or --image, not both" in p.stderr


def test_go_programs_in_an_image(tmp_path, db):
    """A Go program Debian ships (skopeo, installed by scripts/setup.sh):
    its embedded build information names the Go release it was built with,
    matched as the package 'stdlib' against Go advisories."""
    skopeo = Path(shutil.which("skopeo") or "/usr/bin/skopeo")
    assert skopeo.exists(), "skopeo missing: run scripts/setup.sh"
    version = subprocess.run(["go", "version", str(skopeo)], capture_output=True,
                             text=True).stdout if shutil.which("go") else ""
    ctx = tmp_path / "ctx"
    (ctx / "usr" / "bin").mkdir(parents=True)
    shutil.copy(skopeo, ctx / "usr" / "bin" / "skopeo")
    built = dsoctl("build", "--context", str(ctx), "--app-dir", "/", "--out",
                   str(tmp_path / "img"), json_file=tmp_path / "b.json",
                   check=0).summary
    p, out = scan(tmp_path, tmp_path / "img", "go", "--db", str(db),
                  "--scanners", "deps", "--sbom", str(tmp_path / "sbom.json"))
    sbom = json.loads((tmp_path / "sbom.json").read_text())
    [stdlib] = [c for c in sbom["components"] if c["name"] == "stdlib"]
    if version:  # `go version FILE` agrees, where a Go toolchain is at hand
        assert "go" + stdlib["version"] in version
    fs = [f for f in findings(out / "secrets.json")
          if f["location"].get("package") == "stdlib"]
    # Debian 12's skopeo is built with Go 1.19, before every fix recorded.
    assert {f["rule_id"] for f in fs} >= {"GO-2023-2102", "GO-2024-2687"}
    assert all(f["location"]["file"] == "usr/bin/skopeo" and
               f["location"]["layer"] == built["outputs"]["image.layer"]
               for f in fs)
