"""dsoctl store put|get against real stores on loopback: a file:// store,
an S3 server that checks SigV4 signatures (versitygw over a directory), and
Debian's docker-registry for images with their signatures (cosign checks
the pushed copy). Transfers are verified by digest; corrupt objects,
wrong credentials, unreachable servers and objects outside the loading
allowlist are refused without writing anything."""
import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import dsoctl, wait_for_port
from test_registry import free_port, registry  # noqa: F401 (fixture)
from test_scan_image import write_layout
from test_sign import ENV, cosign, image_digest

ACCESS, SECRET = "AKIADSOTEST", "dso-test-secret-key-0123"


def versitygw_bin():
    found = shutil.which("versitygw") or os.path.expanduser(
        "~/go/bin/versitygw")
    assert os.path.exists(found), "versitygw missing: run scripts/setup.sh"
    return found


@pytest.fixture
def s3(tmp_path):
    root = tmp_path / "s3root"
    (root / "artifacts").mkdir(parents=True)
    port = free_port()
    proc = subprocess.Popen(
        [versitygw_bin(), "--port", f"127.0.0.1:{port}", "posix", str(root)],
        env=dict(os.environ, ROOT_ACCESS_KEY_ID=ACCESS,
                 ROOT_SECRET_ACCESS_KEY=SECRET),
        stdout=subprocess.DEVNULL, stderr=open(tmp_path / "s3.log", "wb"))
    wait_for_port(port)
    env = {"AWS_ACCESS_KEY_ID": ACCESS, "AWS_SECRET_ACCESS_KEY": SECRET,
           "DSO_S3_ENDPOINT": f"http://127.0.0.1:{port}"}
    yield root, env
    proc.terminate()
    proc.wait(timeout=10)


def sha256(path: Path) -> str:
    return "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()


def test_file_store_round_trip(tmp_path, make_agent):
    # file:// stores of an agent lie beneath its store_roots.
    agent = make_agent(f"store_roots: ['{tmp_path}']\n").start()
    src = tmp_path / "model.bin"
    src.write_bytes(os.urandom(300_000))
    store = tmp_path / "cas"
    p = dsoctl("store", "put", str(src), f"file://{store}", agent=agent,
               json_file=tmp_path / "put.json", check=0)
    digest = p.summary["outputs"]["digest"]
    assert digest == sha256(src)
    assert (store / "blobs" / "sha256" / digest[7:]).read_bytes() == \
        src.read_bytes()
    out = tmp_path / "back.bin"
    dsoctl("store", "get", f"file://{store}/{digest}", str(out), agent=agent,
           check=0)
    assert out.read_bytes() == src.read_bytes()
    # A blob rotted in the store: refused, nothing written.
    blob = store / "blobs" / "sha256" / digest[7:]
    blob.write_bytes(b"rotten" + blob.read_bytes()[6:])
    bad = tmp_path / "bad.bin"
    p = dsoctl("store", "get", f"file://{store}/{digest}", str(bad), check=3)
    assert "another digest" in p.stderr
    assert not bad.exists() and not Path(str(bad) + ".part").exists()


def test_s3_put_get_multipart_and_refusals(tmp_path, agent, s3):
    root, env = s3
    small = tmp_path / "requirements.lock"
    small.write_text("flask==3.0.0\n")
    p = dsoctl("store", "put", str(small), "s3://artifacts/deps/", env=env,
               agent=agent, json_file=tmp_path / "put.json", check=0)
    assert p.summary["outputs"]["url"] == "s3://artifacts/deps/requirements.lock"
    assert (root / "artifacts" / "deps" / "requirements.lock").read_text() == \
        small.read_text()
    assert SECRET not in p.stdout + p.stderr

    # Over one part: a multipart upload.
    big = tmp_path / "big.bin"
    with open(big, "wb") as f:
        for _ in range(5):
            f.write(os.urandom(16 << 20))
    dsoctl("store", "put", str(big), "s3://artifacts/big.bin", env=env,
           check=0, timeout=120)
    back = tmp_path / "big.back"
    dsoctl("store", "get", "s3://artifacts/big.bin", str(back), env=env,
           agent=agent, check=0, timeout=120)
    assert sha256(back) == sha256(big)

    # The object changed behind the store's back: the recorded digest
    # catches it and nothing is written.
    stored = root / "artifacts" / "deps" / "requirements.lock"
    stored.write_text("flask==0.1\n")
    out = tmp_path / "got.lock"
    p = dsoctl("store", "get", "s3://artifacts/deps/requirements.lock",
               str(out), env=env, check=3)
    assert "another digest" in p.stderr and not out.exists()

    # Wrong secret: the server checks the signature.
    p = dsoctl("store", "put", str(small), "s3://artifacts/x",
               env={**env, "AWS_SECRET_ACCESS_KEY": "wrong"}, check=2)
    assert "SignatureDoesNotMatch" in p.stderr and "wrong" not in \
        p.stderr.replace("SignatureDoesNotMatch", "")
    # Unreachable server: an infrastructure error, exit 3.
    p = dsoctl("store", "put", str(small), "s3://artifacts/x",
               env={**env, "DSO_S3_ENDPOINT": "http://127.0.0.1:9"}, check=3)
    assert "unreachable" in p.stderr


def test_loading_allowlist(tmp_path, s3):
    root, env = s3
    dep = tmp_path / "lib.whl"
    dep.write_bytes(b"wheel")
    dsoctl("store", "put", str(dep), "s3://artifacts/vetted/lib.whl", env=env,
           check=0)
    allow = tmp_path / "allow.yaml"
    allow.write_text("stores: [s3://artifacts/vetted/]\nartifacts:\n"
                     f"  - name: lib.whl\n    digest: {sha256(dep)}\n")
    out = tmp_path / "lib.whl.got"
    dsoctl("store", "get", "s3://artifacts/vetted/lib.whl", str(out),
           "--allowlist", str(allow), env=env, check=0)
    assert out.read_bytes() == b"wheel"
    # Not from a vetted store: refused (a policy outcome, exit 1).
    dsoctl("store", "put", str(dep), "s3://artifacts/elsewhere/lib.whl",
           env=env, check=0)
    p = dsoctl("store", "get", "s3://artifacts/elsewhere/lib.whl",
               str(tmp_path / "x"), "--allowlist", str(allow), env=env,
               check=1)
    assert "not in a store the allowlist" in p.stderr
    # From the vetted store but another object: refused, not written.
    (root / "artifacts" / "vetted" / "evil.whl").write_bytes(b"evil")
    other = tmp_path / "other.whl"
    other.write_bytes(b"evil")
    dsoctl("store", "put", str(other), "s3://artifacts/vetted/evil.whl",
           env=env, check=0)
    p = dsoctl("store", "get", "s3://artifacts/vetted/evil.whl",
               str(tmp_path / "evil"), "--allowlist", str(allow), env=env,
               check=1)
    assert "is not an artifact the allowlist" in p.stderr
    assert not (tmp_path / "evil").exists()
    bad = tmp_path / "bad.yaml"
    bad.write_text("stores: s3://x\n")
    p = dsoctl("store", "get", "s3://artifacts/vetted/lib.whl",
               str(tmp_path / "y"), "--allowlist", str(bad), env=env, check=2)
    assert "bad.yaml: stores must be a list" in p.stderr


def test_oci_push_with_signatures_and_pull(tmp_path, agent, registry):
    reg = registry()
    layout = tmp_path / "img"
    write_layout(layout, [[("app/run.sh", "file", 0o755, b"#!/bin/sh\n")]])
    digest = image_digest(layout)
    dsoctl("keys", "generate", "--out", str(tmp_path / "k"), env=ENV, check=0)
    dsoctl("sign", "--image", str(layout), "--key", str(tmp_path / "k.key"),
           env=ENV, check=0)
    url = f"oci://127.0.0.1:{reg.port}/team/app:1"
    p = dsoctl("store", "put", str(layout), url, agent=agent,
               json_file=tmp_path / "push.json", check=0)
    assert p.summary["outputs"]["image.digest"] == digest
    # cosign finds and accepts the signature pushed beside the image.
    ref = f"127.0.0.1:{reg.port}/team/app:1"
    cosign("verify", "--key", str(tmp_path / "k.pub"),
           "--insecure-ignore-tlog", "--allow-http-registry", ref)
    pulled = tmp_path / "pulled"
    dsoctl("store", "get", url, str(pulled), agent=agent, check=0)
    dsoctl("verify", "--image", str(pulled), "--key", str(tmp_path / "k.pub"),
           "--digest", digest, check=0)
    # A pinned digest that is not what the tag names: refused.
    p = dsoctl("store", "get", url, str(tmp_path / "p2"), "--digest",
               "sha256:" + "0" * 64, check=3)
    assert not (tmp_path / "p2").exists()


@pytest.fixture
def vsftpd(tmp_path):
    """vsftpd on loopback with an anonymous, writable pub/ directory."""
    assert shutil.which("vsftpd"), "vsftpd missing: run scripts/setup.sh"
    base = tmp_path / "ftp"
    (base / "root" / "pub").mkdir(parents=True)
    (base / "empty").mkdir()
    if os.geteuid() == 0:
        shutil.chown(base / "root" / "pub", user="ftp")
    else:
        pytest.skip("vsftpd must start as root to serve anonymous uploads")
    port, pasv = free_port(), free_port()
    (base / "vsftpd.conf").write_text(f"""listen=YES
listen_address=127.0.0.1
listen_port={port}
background=NO
anonymous_enable=YES
no_anon_password=YES
anon_root={base / 'root'}
write_enable=YES
anon_upload_enable=YES
anon_mkdir_write_enable=YES
anon_other_write_enable=YES
anon_umask=022
local_enable=NO
pasv_enable=YES
pasv_min_port={pasv}
pasv_max_port={pasv}
pasv_address=127.0.0.1
seccomp_sandbox=NO
secure_chroot_dir={base / 'empty'}
xferlog_enable=NO
""")
    proc = subprocess.Popen(["vsftpd", str(base / "vsftpd.conf")],
                            stdout=subprocess.DEVNULL,
                            stderr=open(base / "log", "wb"))
    wait_for_port(port)
    yield base / "root" / "pub", f"ftp://127.0.0.1:{port}/pub"
    proc.terminate()
    proc.wait(timeout=10)


def test_ftp_store(tmp_path, agent, vsftpd):
    root, url = vsftpd
    src = tmp_path / "report.sarif"
    src.write_bytes(os.urandom(2_000_000))
    p = dsoctl("store", "put", str(src), url + "/builds/42/", agent=agent,
               json_file=tmp_path / "put.json", check=0)
    assert p.summary["outputs"]["digest"] == sha256(src)
    stored = root / "builds" / "42" / "report.sarif"
    assert stored.read_bytes() == src.read_bytes()
    assert (root / "builds" / "42" / "report.sarif.sha256").read_text() \
        .startswith(sha256(src)[7:] + "  report.sarif")
    assert not list(root.rglob("*.part"))
    out = tmp_path / "back.sarif"
    dsoctl("store", "get", url + "/builds/42/report.sarif", str(out),
           agent=agent, check=0)
    assert out.read_bytes() == src.read_bytes()
    stored.write_bytes(b"tampered")
    p = dsoctl("store", "get", url + "/builds/42/report.sarif",
               str(tmp_path / "t"), check=3)
    assert "another digest" in p.stderr and not (tmp_path / "t").exists()
    p = dsoctl("store", "get", url + "/builds/42/missing", str(tmp_path / "m"),
               check=2)
    assert "no recorded digest" in p.stderr


@pytest.fixture
def nexus(tmp_path):
    """nginx with WebDAV PUT and basic auth, standing in for a Nexus raw
    repository."""
    assert shutil.which("nginx"), "nginx missing: run scripts/setup.sh"
    base = tmp_path / "nexus"
    for d in ("data", "tmp"):
        (base / d).mkdir(parents=True)
    htpasswd = subprocess.run(["htpasswd", "-bn", "ci", "nexus-pw"],
                              capture_output=True, text=True,
                              check=True).stdout
    (base / "htpasswd").write_text(htpasswd)
    port = free_port()
    user = "user root;" if os.geteuid() == 0 else ""
    (base / "nginx.conf").write_text(f"""{user}
worker_processes 1;
daemon off;
pid {base / 'nginx.pid'};
error_log {base / 'error.log'};
events {{}}
http {{
  client_body_temp_path {base / 'tmp'};
  access_log off;
  server {{
    listen 127.0.0.1:{port};
    client_max_body_size 0;
    location /repository/ {{
      root {base / 'data'};
      dav_methods PUT DELETE;
      create_full_put_path on;
      dav_access user:rw group:r all:r;
      auth_basic "nexus";
      auth_basic_user_file {base / 'htpasswd'};
    }}
  }}
}}
""")
    proc = subprocess.Popen(["nginx", "-c", str(base / "nginx.conf"), "-e",
                             str(base / "error.log")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for_port(port)
    yield (base / "data" / "repository" / "raw",
           f"nexus+http://127.0.0.1:{port}/repository/raw")
    proc.terminate()
    proc.wait(timeout=10)


def test_nexus_raw_store(tmp_path, agent, nexus):
    root, url = nexus
    env = {"DSO_STORE_USERNAME": "ci", "DSO_STORE_PASSWORD": "nexus-pw"}
    src = tmp_path / "app-1.0.tar.gz"
    src.write_bytes(os.urandom(1_000_000))
    p = dsoctl("store", "put", str(src), url + "/app/1.0/", env=env,
               agent=agent, check=0)
    assert "nexus-pw" not in p.stdout + p.stderr
    assert (root / "app" / "1.0" / "app-1.0.tar.gz").read_bytes() == \
        src.read_bytes()
    out = tmp_path / "got.tar.gz"
    dsoctl("store", "get", url + "/app/1.0/app-1.0.tar.gz", str(out),
           env=env, agent=agent, check=0)
    assert out.read_bytes() == src.read_bytes()
    p = dsoctl("store", "put", str(src), url + "/app/1.0/", check=2,
               env={"DSO_STORE_USERNAME": "ci", "DSO_STORE_PASSWORD": "bad"})
    assert "access denied (HTTP 401)" in p.stderr


def test_oci_push_mounts_base_layers_and_chunks_large_blobs(tmp_path,
                                                            registry):
    reg = registry()
    base = tmp_path / "base"
    # A layer over one upload chunk (32 MiB): random bytes do not compress.
    write_layout(base, [[("blob", "file", 0o644, os.urandom(40 << 20))]])
    base_url = f"oci://127.0.0.1:{reg.port}/library/base:1"
    p = dsoctl("store", "put", str(base), base_url,
               json_file=tmp_path / "base.json", timeout=120, check=0)
    assert p.summary["outputs"]["mounted"] == "0"
    # An image built on that base as pulled from the registry names it
    # (org.opencontainers.image.base.name): its layers are mounted from
    # the base's repository instead of uploaded again.
    ctx = tmp_path / "ctx"
    ctx.mkdir()
    (ctx / "app.py").write_text("print(1)\n")
    dsoctl("build", "--context", str(ctx), "--base",
           f"127.0.0.1:{reg.port}/library/base:1", "--out",
           str(tmp_path / "app"), "--tag", "app:1", timeout=120, check=0)
    p = dsoctl("store", "put", str(tmp_path / "app"),
               f"oci://127.0.0.1:{reg.port}/team/app:1",
               json_file=tmp_path / "app.json", timeout=120, check=0)
    assert p.summary["outputs"]["mounted"] == "1"
    pulled = tmp_path / "pulled"
    dsoctl("store", "get", f"oci://127.0.0.1:{reg.port}/team/app:1",
           str(pulled), timeout=120, check=0)
    assert image_digest(pulled, "1") == p.summary["outputs"]["image.digest"]


def test_the_agents_own_loading_allowlist(tmp_path, make_agent):
    vetted = tmp_path / "vetted"
    other = tmp_path / "other"
    src = tmp_path / "model.bin"
    src.write_bytes(b"weights")
    for store in (vetted, other):
        dsoctl("store", "put", str(src), f"file://{store}", check=0)
    allow = tmp_path / "agent-allow.yaml"
    allow.write_text(f"stores: ['file://{vetted}']\n")
    agent = make_agent(f"loading_allowlist: {allow}\n"
                       f"store_roots: ['{tmp_path}']\n").start()
    digest = sha256(src)
    dsoctl("store", "get", f"file://{vetted}/{digest}", str(tmp_path / "a"),
           agent=agent, check=0)
    # The request brings no allowlist; the agent's still applies.
    p = dsoctl("store", "get", f"file://{other}/{digest}",
               str(tmp_path / "b"), agent=agent, check=1)
    assert "agent-allow.yaml" in p.stderr and not (tmp_path / "b").exists()
    # A broken allowlist stops the agent at start, naming the file.
    bad = tmp_path / "bad-allow.yaml"
    bad.write_text("stores: [not-a-url]\n")
    broken = make_agent(f"loading_allowlist: {bad}\n", name="broken")
    with pytest.raises(Exception):
        broken.start()
    assert "bad-allow.yaml" in broken.log_path.read_text()
