"""dsoctl scan --image REGISTRY/REPO:TAG against Debian's docker-registry on
loopback, images pushed by skopeo: anonymous, basic-auth and bearer-token
pulls (the credentials from the environment, never printed), a multi-platform index
resolved to linux/amd64, a tampered blob caught, an unreachable registry
named."""
import base64
import http.server
import json
import shutil
import socket
import subprocess
import threading
import time
import urllib.parse
from pathlib import Path

import pytest

from conftest import dsoctl
from test_scan_image import AWS_KEY, write_layout, findings

USER, PASSWORD = "ci", "s3cret-pa55"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class TokenService:
    """The token service a registry with `auth: token` sends clients to:
    checks the user's basic credentials and issues a JWT (RS256, signed by
    openssl with a key whose certificate the registry trusts) granting the
    scope asked for."""

    def __init__(self, base: Path):
        self.key, self.cert = base / "token.key", base / "token.pem"
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048",
                        "-nodes", "-keyout", str(self.key), "-out",
                        str(self.cert), "-days", "1", "-subj",
                        "/CN=dso-test-token"], check=True,
                       capture_output=True)
        self.der = subprocess.run(["openssl", "x509", "-in", str(self.cert),
                                   "-outform", "DER"], check=True,
                                  capture_output=True).stdout
        self.issued = 0
        service = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                want = "Basic " + base64.b64encode(
                    f"{USER}:{PASSWORD}".encode()).decode()
                if self.headers.get("Authorization") != want:
                    self.send_response(401)
                    self.end_headers()
                    return
                q = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query)
                body = json.dumps({"token": service.jwt(
                    q["service"][0], q.get("scope", [""])[0])}).encode()
                service.issued += 1
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.realm = f"http://127.0.0.1:{self.server.server_port}/token"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def jwt(self, audience: str, scope: str) -> str:
        access = []
        for s in scope.split(" "):
            kind, _, rest = s.partition(":")
            name, _, actions = rest.rpartition(":")
            if kind == "repository":
                access.append({"type": kind, "name": name,
                               "actions": actions.split(",")})
        now = int(time.time())
        header = {"alg": "RS256", "typ": "JWT",
                  "x5c": [base64.b64encode(self.der).decode()]}
        claims = {"iss": "dso-test-issuer", "sub": USER, "aud": audience,
                  "exp": now + 300, "nbf": now - 10, "iat": now,
                  "jti": str(now) + str(self.issued), "access": access}
        signing = (b64url(json.dumps(header).encode()) + "." +
                   b64url(json.dumps(claims).encode()))
        sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign",
                              str(self.key)], input=signing.encode(),
                             capture_output=True, check=True).stdout
        return signing + "." + b64url(sig)

    def stop(self):
        self.server.shutdown()


class Registry:
    def __init__(self, base: Path, auth):
        assert shutil.which("docker-registry"), \
            "docker-registry missing: run scripts/setup.sh"
        self.port = free_port()
        self.data = base / "data"
        config = {"version": 0.1, "log": {"level": "error"},
                  "storage": {"filesystem": {"rootdirectory": str(self.data)}},
                  "http": {"addr": f"127.0.0.1:{self.port}"}}
        self.tokens = None
        if auth == "token":
            self.tokens = TokenService(base)
            config["auth"] = {"token": {
                "realm": self.tokens.realm, "service": "dso-test-registry",
                "issuer": "dso-test-issuer",
                "rootcertbundle": str(self.tokens.cert)}}
        elif auth:
            htpasswd = subprocess.run(["htpasswd", "-Bbn", USER, PASSWORD],
                                      capture_output=True, text=True,
                                      check=True).stdout
            (base / "htpasswd").write_text(htpasswd)
            config["auth"] = {"htpasswd": {"realm": "dso-test",
                                           "path": str(base / "htpasswd")}}
        (base / "config.yml").write_text(json.dumps(config))  # YAML ⊃ JSON
        self.proc = subprocess.Popen(
            ["docker-registry", "serve", str(base / "config.yml")],
            stdout=subprocess.DEVNULL, stderr=open(base / "log", "wb"))
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.1).close()
                break
            except OSError:
                time.sleep(0.05)
        self.creds = ["--dest-creds", f"{USER}:{PASSWORD}"] if auth else []

    def push(self, layout: str, name: str, all_platforms=False):
        subprocess.run(["skopeo", "copy", "-q", "--dest-tls-verify=false",
                        *self.creds, *(["--all"] if all_platforms else []),
                        f"oci:{layout}", f"docker://127.0.0.1:{self.port}/{name}"],
                       check=True, timeout=60)
        return f"127.0.0.1:{self.port}/{name}"

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)
        if self.tokens:
            self.tokens.stop()


@pytest.fixture
def registry(tmp_path):
    regs = []

    def start(auth=False):
        base = tmp_path / f"registry{len(regs)}"
        base.mkdir()
        regs.append(Registry(base, auth))
        return regs[-1]
    yield start
    for r in regs:
        r.stop()


@pytest.fixture
def image(tmp_path):
    layout = tmp_path / "layout"
    digests = write_layout(layout, [[
        ("app/.env", "file", 0o600, f"aws_access_key_id = {AWS_KEY}\n".encode())]],
        tag="t")
    return f"{layout}:t", digests


def scan(tmp_path, ref, name, agent=None, env=None, check=0):
    out = tmp_path / name
    out.mkdir()
    p = dsoctl("scan", "--image", ref, "--scanners", "secrets", agent=agent,
               json_file=out / "summary.json", env=env, check=check)
    return p, out


def test_anonymous_pull_through_the_agent(agent, registry, tmp_path, image):
    ref = registry().push(image[0], "demo/app:1")
    p, out = scan(tmp_path, ref, "anon", agent=agent)
    [f] = findings(out / "secrets.json")
    assert f["location"]["file"] == "app/.env"
    assert f["location"]["layer"] == image[1][0]
    assert f"pulling {ref} (anonymous)" in p.stderr


def test_basic_auth_with_credentials_from_the_environment(registry, tmp_path,
                                                          image):
    ref = registry(auth=True).push(image[0], "demo/app:1")
    # Missing or wrong credentials are bad input: exit 2.
    p, _ = scan(tmp_path, ref, "nocreds", check=2)
    assert "needs credentials; set DSO_REGISTRY_USERNAME" in p.stderr
    p, _ = scan(tmp_path, ref, "wrong", env={"DSO_REGISTRY_USERNAME": USER,
                                             "DSO_REGISTRY_PASSWORD": "nope"},
                check=2)
    assert "access denied" in p.stderr
    env = {"DSO_REGISTRY_USERNAME": USER, "DSO_REGISTRY_PASSWORD": PASSWORD}
    p, out = scan(tmp_path, ref, "creds", env=env)
    assert len(findings(out / "secrets.json")) == 1
    assert PASSWORD not in p.stderr + p.stdout
    assert PASSWORD not in (out / "summary.json").read_text()


def test_multi_platform_index_resolves_to_linux_amd64(registry, tmp_path):
    # Two images under one index: arm64 (clean) first, amd64 (a key).
    arm, amd = tmp_path / "arm", tmp_path / "amd"
    write_layout(arm, [[("app/readme.txt", "file", 0o644, b"clean\n")]])
    write_layout(amd, [[("app/.env", "file", 0o600,
                         f"aws_access_key_id = {AWS_KEY}\n".encode())]])
    multi = tmp_path / "multi-layout"
    blobs = multi / "blobs" / "sha256"
    blobs.mkdir(parents=True)
    entries = []
    for layout, arch in [(arm, "arm64"), (amd, "amd64")]:
        for b in (layout / "blobs" / "sha256").iterdir():
            shutil.copy(b, blobs / b.name)
        m = json.loads((layout / "index.json").read_text())["manifests"][0]
        entries.append({"mediaType": m["mediaType"], "digest": m["digest"],
                        "size": m["size"],
                        "platform": {"os": "linux", "architecture": arch}})
    index = json.dumps({"schemaVersion": 2, "manifests": entries,
                        "mediaType": "application/vnd.oci.image.index.v1+json"}).encode()
    import hashlib
    digest = hashlib.sha256(index).hexdigest()
    (blobs / digest).write_bytes(index)
    (multi / "oci-layout").write_text('{"imageLayoutVersion":"1.0.0"}')
    (multi / "index.json").write_text(json.dumps({"schemaVersion": 2, "manifests": [{
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "digest": "sha256:" + digest, "size": len(index),
        "annotations": {"org.opencontainers.image.ref.name": "m"}}]}))
    ref = registry().push(f"{multi}:m", "demo/multi:1", all_platforms=True)
    _, out = scan(tmp_path, ref, "multi")
    [f] = findings(out / "secrets.json")
    assert f["location"]["file"] == "app/.env"


def test_tampered_blob_and_unreachable_registry(registry, tmp_path, image):
    reg = registry()
    ref = reg.push(image[0], "demo/app:1")
    layer = image[1][0].removeprefix("sha256:")
    data = reg.data / "docker/registry/v2/blobs/sha256" / layer[:2] / layer / "data"
    blob = bytearray(data.read_bytes())
    blob[-1] ^= 0xff
    data.write_bytes(bytes(blob))
    p, _ = scan(tmp_path, ref, "tampered", check=3)
    assert "another digest" in p.stderr
    p, _ = scan(tmp_path, f"127.0.0.1:{free_port()}/demo/app:1", "down",
                check=3)
    assert "is unreachable" in p.stderr


def test_build_on_a_base_from_the_registry(agent, registry, tmp_path, image):
    ref = registry().push(image[0], "base/app:1")
    ctx = tmp_path / "ctx"
    ctx.mkdir()
    (ctx / "main.py").write_text("print(1)\n")
    built = dsoctl("build", "--context", str(ctx), "--base", ref, "--out",
                   str(tmp_path / "img"), agent=agent,
                   json_file=tmp_path / "build.json", check=0).summary
    manifest_digest = json.loads((tmp_path / "img" / "index.json").read_text())[
        "manifests"][0]["digest"]
    manifest = json.loads((tmp_path / "img" / "blobs" / "sha256" /
                           manifest_digest.removeprefix("sha256:")).read_text())
    layers = [l["digest"] for l in manifest["layers"]]
    assert layers == [image[1][0], built["outputs"]["image.layer"]]
    assert manifest["annotations"]["org.opencontainers.image.base.name"] == ref
    # ... which the image checks read: a tagged base is pinned, :latest not.
    latest = registry().push(image[0], "base/app:latest")
    dsoctl("build", "--context", str(ctx), "--base", latest, "--out",
           str(tmp_path / "img2"), agent=agent, check=0)
    out = tmp_path / "checks"
    out.mkdir()
    dsoctl("scan", "--image", str(tmp_path / "img2"), "--scanners", "image",
           json_file=out / "s.json", check=0)
    [f] = [f for f in findings(out / "secrets.json")
           if f["rule_id"] == "image-base-unpinned"]
    assert latest in f["evidence"]


def test_bearer_token_from_the_registrys_token_service(registry, tmp_path,
                                                       image):
    reg = registry(auth="token")
    ref = reg.push(image[0], "demo/app:1")
    p, _ = scan(tmp_path, ref, "notoken", check=2)
    assert "the token service refused (HTTP 401)" in p.stderr
    env = {"DSO_REGISTRY_USERNAME": USER, "DSO_REGISTRY_PASSWORD": PASSWORD}
    issued = reg.tokens.issued
    p, out = scan(tmp_path, ref, "token", env=env)
    assert len(findings(out / "secrets.json")) == 1
    assert reg.tokens.issued == issued + 1  # one token for the whole pull
    assert PASSWORD not in p.stderr
