"""dsoctl keys, sign and verify against the real verifier, cosign, and
Debian's docker-registry on loopback: what dso signs and attests cosign
accepts, what cosign signs and attests dso accepts; wrong keys, tampered
payloads and moved tags are refused by both; keys and passwords are never
printed."""
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import dsoctl, wait_for_port
from test_registry import registry  # noqa: F401 (fixture)
from test_scan_image import write_layout

PASSWORD = "correct-horse-battery"
ENV = {"DSO_KEY_PASSWORD": PASSWORD}
GATE = "https://dso.dev/attestations/gate/v1"


def cosign_bin():
    found = shutil.which("cosign") or os.path.expanduser("~/go/bin/cosign")
    assert os.path.exists(found), "cosign missing: run scripts/setup.sh"
    return found


def cosign(*args, password=PASSWORD, check=True):
    env = dict(os.environ, COSIGN_PASSWORD=password)
    p = subprocess.run([cosign_bin(), *args], capture_output=True, text=True,
                       env=env, timeout=120)
    if check:
        assert p.returncode == 0, (p.stdout, p.stderr)
    return p


def image_digest(layout: Path, tag="t"):
    for m in json.loads((layout / "index.json").read_text())["manifests"]:
        if m["annotations"]["org.opencontainers.image.ref.name"] == tag:
            return m["digest"]


@pytest.fixture
def layout(tmp_path):
    out = tmp_path / "layout"
    write_layout(out, [[("app/main.py", "file", 0o644, b"print('hi')\n")]])
    return out


@pytest.fixture
def keys(tmp_path):
    p = dsoctl("keys", "generate", "--out", str(tmp_path / "dso"), env=ENV,
               check=0)
    assert PASSWORD not in p.stdout + p.stderr
    key, pub = tmp_path / "dso.key", tmp_path / "dso.pub"
    assert oct(key.stat().st_mode & 0o777) == "0o600"
    assert key.read_text().startswith(
        "-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----")
    return key, pub


def test_cosign_reads_our_keys_and_we_read_cosigns(tmp_path, keys):
    key, pub = keys
    blob = tmp_path / "blob"
    blob.write_text("release notes\n")
    # cosign signs with the key dso generated; dso's public key checks it.
    sig = cosign("sign-blob", "--key", str(key), "--tlog-upload=false",
                 str(blob)).stdout.strip()
    (tmp_path / "blob.sig").write_text(sig)
    cosign("verify-blob", "--key", str(pub), "--insecure-ignore-tlog",
           "--signature", str(tmp_path / "blob.sig"), str(blob))
    # A key cosign generated signs through dso.
    subprocess.run([cosign_bin(), "generate-key-pair"], cwd=tmp_path,
                   env=dict(os.environ, COSIGN_PASSWORD="cosign-pw"),
                   check=True, capture_output=True)
    layout = tmp_path / "img"
    write_layout(layout, [[("a", "file", 0o644, b"a")]])
    dsoctl("sign", "--image", str(layout), "--key",
           f"file://{tmp_path / 'cosign.key'}",
           env={"COSIGN_PASSWORD": "cosign-pw"}, check=0)
    dsoctl("verify", "--image", str(layout), "--key",
           str(tmp_path / "cosign.pub"), check=0)


def test_sign_and_verify_a_layout_through_the_agent(agent, tmp_path, layout,
                                                    keys):
    key, pub = keys
    digest = image_digest(layout)
    p = dsoctl("sign", "--image", str(layout), "--key", str(key),
               agent=agent, env=ENV, json_file=tmp_path / "sign.json",
               check=0)
    assert PASSWORD not in p.stdout + p.stderr
    assert "BEGIN" not in p.stdout + p.stderr
    outputs = p.summary["outputs"]
    assert outputs["image.digest"] == digest
    sig_tag = "sha256-" + digest[7:] + ".sig"
    assert outputs["signature.tag"] == sig_tag
    # The agent worked on an uploaded copy; the update came back here.
    tags = [m["annotations"]["org.opencontainers.image.ref.name"] for m in
            json.loads((layout / "index.json").read_text())["manifests"]]
    assert tags == ["t", sig_tag]
    # The secret stayed out of the agent's journal and log.
    for f in agent.data_dir.rglob("*"):
        if f.is_file() and f.stat().st_size < 10 << 20:
            assert PASSWORD.encode() not in f.read_bytes(), f
    assert PASSWORD not in agent.log_path.read_text()

    v = dsoctl("verify", "--image", str(layout), "--key", str(pub),
               agent=agent, json_file=tmp_path / "v" / "verify.json", check=0)
    assert v.summary["outputs"]["verified.signatures"] == "1"
    [payload] = json.loads((tmp_path / "v" / "verified-signatures.json")
                           .read_text())
    assert payload["critical"]["image"]["docker-manifest-digest"] == digest

    # Another key: verification fails, exit 1, and says why.
    other = tmp_path / "other"
    dsoctl("keys", "generate", "--out", str(other), env=ENV, check=0)
    bad = dsoctl("verify", "--image", str(layout), "--key",
                 str(other) + ".pub", agent=agent, check=1)
    assert "does not verify with the ECDSA P-256 public key" in bad.stderr


def test_wrong_password_and_corrupt_keys_are_bad_input(tmp_path, layout, keys):
    key, _ = keys
    p = dsoctl("sign", "--image", str(layout), "--key", str(key),
               env={"DSO_KEY_PASSWORD": "not-it"}, check=2)
    assert "wrong password" in p.stderr and "not-it" not in p.stderr
    broken = tmp_path / "broken.key"
    broken.write_text(key.read_text()[:120] + "\n-----END ENCRYPTED "
                      "SIGSTORE PRIVATE KEY-----\n")
    p = dsoctl("sign", "--image", str(layout), "--key", str(broken), env=ENV,
               check=2)
    assert "broken.key" in p.stderr
    p = dsoctl("sign", "--image", str(layout), "--key", str(keys[1]),
               env=ENV, check=2)
    assert "is a public key" in p.stderr
    p = dsoctl("keys", "generate", "--out", str(tmp_path / "dso"), env=ENV,
               check=2)
    assert "not overwriting" in p.stderr
    # Nothing was written into the layout by the failed attempts.
    assert len(json.loads((layout / "index.json").read_text())
               ["manifests"]) == 1


def test_registry_signatures_and_attestations_both_ways(agent, registry,
                                                        tmp_path, layout,
                                                        keys):
    key, pub = keys
    reg = registry()
    ref = reg.push(str(layout) + ":t", "team/app:1")
    digest = image_digest(layout)
    statement = tmp_path / "gate.json"
    statement.write_text(json.dumps({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": "report.sarif", "digest": {"sha256": "00" * 32}}],
        "predicateType": GATE,
        "predicate": {"outcome": "pass", "level": 2, "stage": "final"}}))
    dsoctl("sign", "--image", ref, "--key", str(key), "--attest",
           str(statement), agent=agent, env=ENV, check=0)

    # cosign accepts dso's signature and attestation.
    out = cosign("verify", "--key", str(pub), "--insecure-ignore-tlog",
                 "--allow-http-registry", ref).stdout
    assert json.loads(out)[0]["critical"]["image"][
        "docker-manifest-digest"] == digest
    att = cosign("verify-attestation", "--key", str(pub),
                 "--insecure-ignore-tlog", "--allow-http-registry", "--type",
                 GATE, ref).stdout
    envelope = json.loads(att.splitlines()[0])
    import base64
    st = json.loads(base64.b64decode(envelope["payload"]))
    assert st["subject"][0]["digest"]["sha256"] == digest[7:]
    assert st["predicate"]["outcome"] == "pass"

    # dso accepts cosign's attestation made with another key pair ...
    subprocess.run([cosign_bin(), "generate-key-pair"], cwd=tmp_path,
                   env=dict(os.environ, COSIGN_PASSWORD=PASSWORD),
                   check=True, capture_output=True)
    predicate = tmp_path / "sbom.json"
    predicate.write_text(json.dumps({"bomFormat": "CycloneDX",
                                     "specVersion": "1.5", "components": []}))
    cosign("sign", "--key", str(tmp_path / "cosign.key"), "--tlog-upload=false",
           "--allow-http-registry", "-y", ref)
    cosign("attest", "--key", str(tmp_path / "cosign.key"),
           "--tlog-upload=false", "--allow-http-registry", "-y",
           "--predicate", str(predicate), "--type", "cyclonedx", ref)
    v = dsoctl("verify", "--image", ref, "--key", str(tmp_path / "cosign.pub"),
               "--require", "sbom", agent=agent,
               json_file=tmp_path / "cv" / "v.json", check=0)
    assert "https://cyclonedx.org/bom" in v.summary["outputs"][
        "verified.types"]
    # ... while requiring the gate attestation with cosign's key fails: that
    # one was signed by dso's key.
    dsoctl("verify", "--image", ref, "--key", str(tmp_path / "cosign.pub"),
           "--require", "gate", agent=agent, check=1)
    dsoctl("verify", "--image", ref, "--key", str(pub), "--require", "gate",
           "--digest", digest, agent=agent, check=0)

    # The tag moves to another, unsigned image: both tools refuse it.
    other = tmp_path / "other"
    write_layout(other, [[("evil", "file", 0o755, b"#!/bin/sh\n")]])
    reg.push(str(other) + ":t", "team/app:1")
    moved = dsoctl("verify", "--image", ref, "--key", str(pub), "--digest",
                   digest, agent=agent, check=1)
    assert "the tag moved" in moved.stderr
    dsoctl("verify", "--image", ref, "--key", str(pub), agent=agent, check=1)
    assert cosign("verify", "--key", str(pub), "--insecure-ignore-tlog",
                  "--allow-http-registry", ref, check=False).returncode != 0
    # Pinned by digest, the signed image still verifies.
    dsoctl("verify", "--image", ref.rsplit(":", 1)[0] + "@" + digest,
           "--key", str(pub), check=0)


def test_a_tampered_signature_is_refused_by_cosign_and_dso(registry, tmp_path,
                                                          layout, keys):
    key, pub = keys
    digest = image_digest(layout)
    dsoctl("sign", "--image", str(layout), "--key", str(key), env=ENV,
           check=0)
    # Forge: the payload names the image with an extra claim, the old
    # signature kept.
    index = json.loads((layout / "index.json").read_text())
    sig = next(m for m in index["manifests"] if m["annotations"][
        "org.opencontainers.image.ref.name"].endswith(".sig"))
    blobs = layout / "blobs" / "sha256"
    manifest = json.loads((blobs / sig["digest"][7:]).read_text())
    import hashlib
    forged = json.dumps({"critical": {"identity": {"docker-reference": "x"},
                                      "image": {"docker-manifest-digest":
                                                digest},
                                      "type": "cosign container image "
                                              "signature"},
                         "optional": {"approved": "yes"}}).encode()
    fd = hashlib.sha256(forged).hexdigest()
    (blobs / fd).write_bytes(forged)
    manifest["layers"][0]["digest"] = "sha256:" + fd
    manifest["layers"][0]["size"] = len(forged)
    mb = json.dumps(manifest).encode()
    md = hashlib.sha256(mb).hexdigest()
    (blobs / md).write_bytes(mb)
    sig["digest"], sig["size"] = "sha256:" + md, len(mb)
    (layout / "index.json").write_text(json.dumps(index))

    p = dsoctl("verify", "--image", str(layout), "--key", str(pub), check=1)
    assert "does not verify" in p.stderr
    reg = registry()
    ref = reg.push(str(layout) + ":t", "forged/app:1")
    subprocess.run(["skopeo", "copy", "-q", "--dest-tls-verify=false",
                    f"oci:{layout}:{sig['annotations']['org.opencontainers.image.ref.name']}",
                    f"docker://127.0.0.1:{reg.port}/forged/app:sha256-{digest[7:]}.sig"],
                   check=True, timeout=60)
    assert cosign("verify", "--key", str(pub), "--insecure-ignore-tlog",
                  "--allow-http-registry", ref, check=False).returncode != 0


VENV = Path(os.environ.get("DSO_TOOLS_VENV", Path.home() / ".cache/dso/venv"))
KMS_ENV = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
           "AWS_REGION": "us-east-1"}


@pytest.fixture
def kms(tmp_path):
    """moto's server as AWS KMS on loopback, with an ECC_NIST_P256 signing
    key under alias/release."""
    server = VENV / "bin" / "moto_server"
    assert server.exists(), "moto missing: run scripts/setup.sh"
    from test_registry import free_port
    port = free_port()
    proc = subprocess.Popen([str(server), "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL,
                            stderr=open(tmp_path / "moto.log", "wb"))
    wait_for_port(port)
    subprocess.run([str(VENV / "bin" / "python"), "-c", f"""
import boto3
kms = boto3.client("kms", endpoint_url="http://127.0.0.1:{port}",
                   region_name="us-east-1", aws_access_key_id="test",
                   aws_secret_access_key="test")
k = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")
kms.create_alias(AliasName="alias/release",
                 TargetKeyId=k["KeyMetadata"]["KeyId"])
"""], check=True, timeout=60)
    yield f"awskms://127.0.0.1:{port}/alias/release"
    proc.terminate()
    proc.wait(timeout=10)


def test_aws_kms_key_signs_what_cosign_verifies(agent, registry, tmp_path,
                                                kms):
    layout = tmp_path / "img"
    write_layout(layout, [[("app/x", "file", 0o644, b"x")]])
    ref = registry().push(str(layout) + ":t", "kms/app:1")
    # The private key never leaves KMS; the public key comes from it.
    dsoctl("keys", "public-key", "--key", kms, "--out",
           str(tmp_path / "kms.pub"), env=KMS_ENV, check=0)
    assert (tmp_path / "kms.pub").read_text().startswith(
        "-----BEGIN PUBLIC KEY-----")
    p = dsoctl("sign", "--image", ref, "--key", kms, agent=agent, env=KMS_ENV,
               check=0)
    assert "AWS KMS key alias/release" in p.stderr
    cosign("verify", "--key", str(tmp_path / "kms.pub"),
           "--insecure-ignore-tlog", "--allow-http-registry", ref)
    dsoctl("verify", "--image", ref, "--key", kms, env=KMS_ENV, check=0)
    # Wrong credentials: moto checks nothing, but an unknown key is named.
    p = dsoctl("sign", "--image", ref, "--key",
               kms.replace("alias/release", "alias/nope"), env=KMS_ENV,
               check=2)
    assert "alias/nope" in p.stderr
    # Unreachable KMS: exit 3, naming it.
    p = dsoctl("sign", "--image", ref, "--key",
               "awskms://127.0.0.1:9/alias/release", env=KMS_ENV, check=3)
    assert "unreachable" in p.stderr


def test_slsa_provenance_from_the_run_context(agent, registry, tmp_path, keys):
    key, pub = keys
    base = tmp_path / "base"
    write_layout(base, [[("etc/os-release", "file", 0o644, b"ID=test\n")]])
    ctx = tmp_path / "ctx"
    ctx.mkdir()
    (ctx / "app.py").write_text("print(1)\n")
    dsoctl("build", "--context", str(ctx), "--base", str(base), "--out",
           str(tmp_path / "img"), "--tag", "app:1", check=0)
    env = {**ENV, "GIT_URL": "https://git.example.com/team/app.git",
           "GIT_COMMIT": "0123456789abcdef0123456789abcdef01234567",
           "BUILD_URL": "https://jenkins.example.com/job/app/7/",
           "JENKINS_URL": "https://jenkins.example.com/"}
    p = dsoctl("sign", "--image", str(tmp_path / "img"), "--key", str(key),
               "--provenance", agent=agent, env=env, check=0)
    assert "attested SLSA provenance v1" in p.stderr
    v = dsoctl("verify", "--image", str(tmp_path / "img"), "--key", str(pub),
               "--require", "provenance", json_file=tmp_path / "v" / "v.json",
               check=0)
    [line] = (tmp_path / "v" / "verified-attestations.jsonl").read_text() \
        .splitlines()
    import base64
    predicate = json.loads(base64.b64decode(json.loads(line)["payload"]))[
        "predicate"]
    deps = predicate["buildDefinition"]["resolvedDependencies"]
    assert {"uri": "git+https://git.example.com/team/app.git",
            "digest": {"gitCommit": env["GIT_COMMIT"]}} in deps
    base_digest = image_digest(base)
    assert any(d["digest"].get("sha256") == base_digest[7:] for d in deps)
    assert predicate["runDetails"]["builder"]["id"] == env["JENKINS_URL"]
    assert predicate["runDetails"]["metadata"]["invocationId"] == \
        env["BUILD_URL"]
    # cosign reads it as SLSA provenance v1 once pushed.
    reg = registry()
    dsoctl("store", "put", str(tmp_path / "img"),
           f"oci://127.0.0.1:{reg.port}/prov/app:1", check=0)
    cosign("verify-attestation", "--key", str(pub), "--insecure-ignore-tlog",
           "--allow-http-registry", "--type", "slsaprovenance1",
           f"127.0.0.1:{reg.port}/prov/app:1")


def test_a_registry_answering_garbage_is_named(tmp_path, keys):
    """A broken registry (HTML where manifests belong, a truncated body)
    gets a clear error, not a crash, and nothing is written."""
    import http.server
    import threading

    class Garbage(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = b"<html>maintenance</html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_HEAD = do_GET

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Garbage)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        ref = f"127.0.0.1:{server.server_port}/team/app:1"
        p = dsoctl("verify", "--image", ref, "--key", str(keys[1]))
        assert p.returncode in (2, 3), (p.returncode, p.stderr)
        assert "is not JSON" in p.stderr and ref.split(":1")[0] in p.stderr
        p = dsoctl("store", "get", "oci://" + ref, str(tmp_path / "out"))
        assert p.returncode in (2, 3) and not (tmp_path / "out").exists()
    finally:
        server.shutdown()


def test_blobs_signed_and_verified_both_ways(agent, tmp_path, keys):
    key, pub = keys
    blob = tmp_path / "app-1.0.tar.gz"
    blob.write_bytes(os.urandom(100_000))
    sig = tmp_path / "app.sig"
    dsoctl("sign", "--blob", str(blob), "--key", str(key), "--output-signature",
           str(sig), agent=agent, env=ENV, check=0)
    cosign("verify-blob", "--key", str(pub), "--insecure-ignore-tlog",
           "--signature", str(sig), str(blob))
    theirs = cosign("sign-blob", "--key", str(key), "--tlog-upload=false",
                    str(blob)).stdout.strip()
    dsoctl("verify", "--blob", str(blob), "--signature", theirs, "--key",
           str(pub), agent=agent, check=0)
    blob.write_bytes(blob.read_bytes() + b"!")
    p = dsoctl("verify", "--blob", str(blob), "--signature", str(sig), "--key",
               str(pub), check=1)
    assert "does not verify" in p.stderr
    assert cosign("verify-blob", "--key", str(pub), "--insecure-ignore-tlog",
                  "--signature", str(sig), str(blob),
                  check=False).returncode != 0
    p = dsoctl("sign", "--blob", str(blob), "--image", "x", "--key", str(key),
               env=ENV, check=2)
    assert "one of them" in p.stderr
