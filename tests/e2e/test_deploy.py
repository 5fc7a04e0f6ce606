"""dsoctl deploy through a real agent: the demo service built, signed,
attested (SBOM, provenance, a passed final gate) and deployed to a host
target in a temporary directory; health checks, automatic rollback,
admission refusals, and the service under RASP in block and monitor mode."""
import json
import os
import re
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from conftest import ROOT, dsoctl, pid_alive, wait_for
from test_registry import registry  # noqa: F401 (fixture)

DEMO = ROOT / "pipelines" / "demo" / "app"
PASSWORD = "deploy-test-password"
ENTRYPOINT = "python3 /app/greeter.py serve"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port, path):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}",
                                    timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


@pytest.fixture
def keys(tmp_path, monkeypatch):
    monkeypatch.setenv("DSO_KEY_PASSWORD", PASSWORD)
    dsoctl("keys", "generate", "--out", str(tmp_path / "release"), check=0)
    return tmp_path / "release.key", tmp_path / "release.pub"


@pytest.fixture
def srv():
    """Where targets live: reachable for the image's user (65532), which
    pytest's private temporary directories are not."""
    import tempfile
    d = Path(tempfile.mkdtemp(prefix="dso-deploy-", dir="/tmp"))
    d.chmod(0o755)
    yield d
    for pidfile in d.glob("*/run/*.pid"):
        try:
            os.kill(int(pidfile.read_text()), 15)
        except (OSError, ValueError):
            pass
    shutil.rmtree(d, ignore_errors=True)


class Release:
    """Builds the demo image and takes it through the pipeline's stages up
    to the final gate, as the reference pipeline does."""

    def __init__(self, agent, tmp_path, keys):
        self.agent, self.tmp, (self.key, self.pub) = agent, tmp_path, keys

    def build(self, name, broken=False, user="65532"):
        ctx = self.tmp / f"ctx-{name}"
        shutil.copytree(DEMO, ctx)
        if broken:
            (ctx / "BROKEN").write_text("this release fails its health check\n")
        out = self.tmp / f"image-{name}"
        dsoctl("build", "--context", str(ctx), "--out", str(out), "--tag",
               "demo:1", "--entrypoint", ENTRYPOINT,
               *(["--user", user] if user else []), agent=self.agent, check=0)
        return f"{out}:demo:1"

    def sign(self, image, gate=True):
        sbom = self.tmp / "sbom.cdx.json"
        sbom.write_text('{"bomFormat": "CycloneDX", "specVersion": "1.5", '
                        '"components": []}')
        dsoctl("sign", "--image", image, "--key", str(self.key), "--attest",
               str(sbom), "--type", "sbom", "--provenance", agent=self.agent,
               check=0)
        v = self.tmp / "verify"
        p = dsoctl("verify", "--image", image, "--key", str(self.pub),
                   "--output-signatures", str(v) + ".json",
                   "--output-attestations", str(v) + ".jsonl",
                   agent=self.agent, json_file=self.tmp / "verify-summary.json",
                   check=0)
        digest = p.summary["outputs"]["image.digest"]
        if gate:
            clean = self.tmp / "clean.json"
            clean.write_text('{"findings": []}')
            g = self.tmp / "gate"
            dsoctl("gate", "--level", "2", "--stage", "final", "--report",
                   str(clean), "--report", str(sbom), "--subject", digest,
                   "--evidence", str(v) + ".json", "--evidence",
                   str(v) + ".jsonl", agent=self.agent,
                   json_file=g / "summary.json", check=0)
            dsoctl("sign", "--image", image, "--key", str(self.key),
                   "--no-signature", "--attest", str(g / "gate.intoto.json"),
                   "--type", "gate", agent=self.agent, check=0)
        return digest


def deploy(agent, image, target, pub, *extra, check=None, json_file=None):
    return dsoctl("deploy", "--image", image, "--target", f"host://{target}",
                  "--verify-key", str(pub), "--require-gate", "final:2",
                  "--health-timeout", "20", *extra, agent=agent,
                  json_file=json_file, check=check)


def current(target):
    return os.readlink(target / "current").split("/")[-1]


def test_deploy_health_rollback_stop(agent, tmp_path, keys, srv):
    r = Release(agent, tmp_path, keys)
    good = r.build("good")
    r.sign(good)
    target, port = srv / "greeter", free_port()
    health = ("--health", "http://127.0.0.1:{port}/healthz", "--port",
              str(port))
    p = deploy(agent, good, target, keys[1], *health, "--keep", "2",
               json_file=tmp_path / "d1.json", check=0)
    s = p.summary
    assert s["outcome"] == "SUCCEEDED"
    first = s["outputs"]["release"]
    assert current(target) == first
    assert (target / "releases" / first / "rootfs/app/greeter.py").exists()
    assert get(port, "/hello?name=dso") == (200, "Hello, dso!\n")
    record = json.loads((target / "releases" / first / "release.json")
                        .read_text())
    assert record["digest"] == s["outputs"]["image.digest"]
    assert "https://slsa.dev/provenance/v1" in record["verified"]

    # A release whose health check fails is rolled back automatically.
    bad = r.build("bad", broken=True)
    r.sign(bad)
    p = deploy(agent, bad, target, keys[1], *health, "--keep", "2",
               json_file=tmp_path / "d2.json", check=1)
    assert "rolled back to " + first in p.stderr
    assert "answered 503" in p.stderr
    assert current(target) == first
    assert get(port, "/healthz") == (200, "ok\n")
    failed = p.summary["outputs"]["release"]
    assert "failed" in json.loads(
        (target / "releases" / failed / "release.json").read_text())

    # Two more good releases: only two kept, the current among them.
    for _ in range(2):
        deploy(agent, good, target, keys[1], *health, "--keep", "2", check=0)
    releases = sorted(os.listdir(target / "releases"))
    assert len(releases) == 2 and current(target) in releases

    p = dsoctl("deploy", "status", "--target", f"host://{target}",
               agent=agent, check=0)
    assert "running app" in p.stderr
    # For hosts that run services with systemd: a unit for whatever
    # `current` is.
    unit = dsoctl("deploy", "unit", "--target", f"host://{target}",
                  agent=agent, check=0).stdout
    assert f'--policy "{target}/current/rasp-policy.yaml"' in unit
    assert f'"{target}/current/rootfs/app/greeter.py" "serve"' in unit
    assert f"WorkingDirectory={target}/current/rootfs/app\n" in unit
    assert 'Environment="PORT=' in unit and "NoNewPrivileges=yes" in unit
    assert "/releases/" not in unit
    if shutil.which("systemd-analyze"):
        (tmp_path / "dso-greeter.service").write_text(unit)
        v = subprocess.run(["systemd-analyze", "verify",
                            str(tmp_path / "dso-greeter.service")],
                           capture_output=True, text=True, timeout=60)
        assert v.returncode == 0, v.stderr
    pid = int((target / "run" / "app.pid").read_text())
    dsoctl("deploy", "stop", "--target", f"host://{target}", agent=agent,
           check=0)
    assert wait_for(lambda: not pid_alive(pid))
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), 1)


def test_unsigned_wrong_key_and_tampered_images_are_refused(agent, tmp_path,
                                                            keys, srv):
    r = Release(agent, tmp_path, keys)
    target = srv / "greeter"
    unsigned = r.build("unsigned")
    p = deploy(agent, unsigned, target, keys[1], check=1)
    assert "admission refused" in p.stderr, p.stderr
    assert "no signatures for" in p.stderr
    assert not (target / "releases").exists() or \
        not os.listdir(target / "releases")

    # Signed, but the final gate was never attested.
    ungated = r.build("ungated")
    r.sign(ungated, gate=False)
    p = deploy(agent, ungated, target, keys[1], check=1)
    assert "gate" in p.stderr and "admission refused" in p.stderr

    good = r.build("good")
    r.sign(good)
    dsoctl("keys", "generate", "--out", str(tmp_path / "other"), check=0)
    p = deploy(agent, good, target, tmp_path / "other.pub", check=1)
    assert "admission refused" in p.stderr
    p = deploy(agent, good, target, keys[1], "--digest", "sha256:" + "0" * 64,
               check=1)
    assert "moved" in p.stderr or "digest" in p.stderr

    # A layer altered after signing: its bytes no longer have its digest.
    layout = Path(good.rsplit(":", 2)[0])
    manifest = json.loads((layout / "index.json").read_text())
    blobs = layout / "blobs" / "sha256"
    layer = max(blobs.iterdir(), key=lambda b: b.stat().st_size)
    data = bytearray(layer.read_bytes())
    data[len(data) // 2] ^= 0xFF
    layer.write_bytes(bytes(data))
    p = deploy(agent, good, target, keys[1], check=None)
    assert p.returncode != 0
    assert not (target / "current").exists()
    assert manifest  # the index itself was left alone


POLICY = """\
mode: {mode}
exec: [/usr/bin/python3]
network:
  connect: ["127.0.0.1:{allowed}"]
  listen: [{port}]
"""


@pytest.mark.parametrize("mode", ["block", "monitor"])
def test_service_under_rasp(agent, tmp_path, keys, srv, mode):
    r = Release(agent, tmp_path, keys)
    image = r.build("svc")
    r.sign(image)
    target, port, allowed, other = (srv / "svc", free_port(),
                                    free_port(), free_port())
    policy = tmp_path / "rasp.yaml"
    policy.write_text(POLICY.format(mode=mode, allowed=allowed, port=port))
    deploy(agent, image, target, keys[1], "--health",
           "http://127.0.0.1:{port}/healthz", "--port", str(port), "--rasp",
           str(policy), "--env", "DSO_DEMO_VULNERABLE=1", check=0)
    status, text = get(port, "/debug/run?cmd=id")
    if mode == "block":
        assert status == 403 and "Permission denied" in text, text
    else:
        assert status == 200 and "uid=" in text, text
    status, text = get(port, f"/debug/fetch?port={other}")
    assert (status == 403) == (mode == "block"), text
    assert get(port, f"/debug/fetch?port={allowed}")[0] == 200
    decision = "blocked" if mode == "block" else "allowed"

    def reported():
        p = dsoctl("deploy", "events", "--target", f"host://{target}",
                   agent=agent, check=0)
        return (f"{decision} exec /usr/bin/dash" in p.stdout and
                f"{decision} connect 127.0.0.1:{other}" in p.stdout and p)
    assert wait_for(lambda: bool(reported())), "events not reported"
    p = reported()
    assert f"127.0.0.1:{allowed}" not in p.stdout
    events = [json.loads(line) for line in
              (target / "events.jsonl").read_text().splitlines()]
    start = next(e for e in events if e["kind"] == "start")
    assert start["mode"] == mode
    # The agent heard them too: its log has them.
    assert wait_for(lambda: f"rasp: exec {decision} /usr/bin/dash" in
                    agent.log_path.read_text())
    dsoctl("deploy", "stop", "--target", f"host://{target}", agent=agent,
           check=0)


@pytest.mark.parametrize("allow_root", [False, True])
def test_an_image_without_a_user_gets_a_dedicated_one(agent, tmp_path, keys,
                                                      srv, allow_root):
    # The agent runs as root here; the image names no user. The service
    # runs as a user of its own (never the agent's), the same for every
    # release of the target — or as root when the policy allows it.
    r = Release(agent, tmp_path, keys)
    image = r.build("nouser", user=None)
    r.sign(image)
    target, port = srv / "nouser", free_port()
    policy = tmp_path / "rasp.yaml"
    policy.write_text("mode: monitor\n" +
                      ("allow_root: true\n" if allow_root else ""))
    uids = []
    for _ in range(2):
        deploy(agent, image, target, keys[1], "--health",
               "http://127.0.0.1:{port}/healthz", "--port", str(port),
               "--rasp", str(policy), "--env", "DSO_DEMO_VULNERABLE=1",
               check=0)
        status, text = get(port, "/debug/run?cmd=id")
        assert status == 200, text
        uids.append(int(re.search(r"uid=(\d+)", text).group(1)))
    dsoctl("deploy", "stop", "--target", f"host://{target}", agent=agent,
           check=0)
    if allow_root:
        assert uids == [0, 0]
        assert not (target / "app-user").exists()
        return
    uid = uids[0]
    assert uids == [uid, uid] and 61184 <= uid <= 65519
    assert (target / "app-user").read_text() == f"{uid}:{uid}\n"
    claim = agent.data_dir / "app-users" / str(uid)
    assert claim.read_text().strip() == str(target)


def test_the_agents_socket_is_out_of_the_applications_reach(agent, tmp_path,
                                                           keys, srv):
    # The service (monitor mode, so that its planted hole runs commands)
    # tries the agent's gRPC socket: file permissions refuse it — it runs
    # as its own user — and the monitor reports it as the agent's socket.
    r = Release(agent, tmp_path, keys)
    image = r.build("probe")
    r.sign(image)
    target, port = srv / "probe", free_port()
    policy = tmp_path / "rasp.yaml"
    policy.write_text("mode: monitor\n")
    deploy(agent, image, target, keys[1], "--health",
           "http://127.0.0.1:{port}/healthz", "--port", str(port), "--rasp",
           str(policy), "--env", "DSO_DEMO_VULNERABLE=1", check=0)
    probe = ("python3 -c 'import socket; s = socket.socket(socket.AF_UNIX); "
             f"s.connect(\"{agent.socket}\")' 2>&1")
    status, text = get(port, "/debug/run?cmd=" +
                       urllib.parse.quote(probe))
    dsoctl("deploy", "stop", "--target", f"host://{target}", agent=agent,
           check=0)
    assert status == 200 and "PermissionError" in text, text
    events = [json.loads(line) for line in
              (target / "events.jsonl").read_text().splitlines()]
    assert any(e["kind"] == "connect" and e.get("what") == str(agent.socket)
               and e.get("reason") == "the agent's own socket"
               for e in events), events


def test_blue_green_switches_only_to_a_healthy_slot(agent, tmp_path, keys,
                                                    srv):
    r = Release(agent, tmp_path, keys)
    good, bad = r.build("good"), r.build("bad", broken=True)
    r.sign(good)
    r.sign(bad)
    target, base = srv / "bg", free_port()
    while True:  # port and port+1 both free
        try:
            socket.create_connection(("127.0.0.1", base + 1), 0.2).close()
            base = free_port()
        except OSError:
            break
    opts = ("--strategy", "blue-green", "--port", str(base), "--health",
            "http://127.0.0.1:{port}/healthz")
    deploy(agent, good, target, keys[1], *opts, check=0)
    assert (target / "run/upstream").read_text() == f"127.0.0.1:{base}\n"
    assert (target / "run/active-slot").read_text() == "blue\n"
    blue_pid = int((target / "run/blue.pid").read_text())
    deploy(agent, good, target, keys[1], *opts, check=0)
    assert (target / "run/upstream").read_text() == f"127.0.0.1:{base + 1}\n"
    assert get(base + 1, "/healthz")[0] == 200
    assert wait_for(lambda: not pid_alive(blue_pid))  # the old slot stopped
    serving = current(target)
    p = deploy(agent, bad, target, keys[1], *opts, check=1)
    assert "green slot keeps serving" in p.stderr
    assert (target / "run/active-slot").read_text() == "green\n"
    assert current(target) == serving
    assert get(base + 1, "/healthz") == (200, "ok\n")
    dsoctl("deploy", "stop", "--target", f"host://{target}", agent=agent,
           check=0)


def pushed_release(agent, tmp_path, keys, registry):
    r = Release(agent, tmp_path, keys)
    image = r.build("k8s")
    digest = r.sign(image)
    ref = f"127.0.0.1:{registry().port}/demo/greeter:1"
    dsoctl("store", "put", image, f"oci://{ref}", agent=agent, check=0)
    return ref, digest, image


def test_kubernetes_manifests_pinned_and_hardened(agent, tmp_path, keys,
                                                  registry):
    import yaml
    ref, digest, layout = pushed_release(agent, tmp_path, keys, registry)
    out = tmp_path / "manifests.yaml"
    p = dsoctl("deploy", "--image", ref, "--target", "kubernetes://shop/greeter",
               "--verify-key", str(keys[1]), "--require-gate", "final:2",
               "--port", "8080", "--health", "http://x/healthz",
               "--manifests", str(out), "--render-only", agent=agent,
               json_file=tmp_path / "k.json", check=0)
    assert p.summary["outputs"]["applied"] == "false"
    assert "not applied, as asked" in p.summary["message"]
    deployment, service = yaml.safe_load_all(out.read_text())
    pod = deployment["spec"]["template"]["spec"]
    container = pod["containers"][0]
    assert container["image"] == f"{ref.rsplit(':', 1)[0]}@{digest}"
    assert pod["securityContext"]["runAsUser"] == 65532  # the image's user
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert container["securityContext"]["capabilities"]["drop"] == ["ALL"]
    assert container["readinessProbe"]["httpGet"]["path"] == "/healthz"
    assert deployment["metadata"]["namespace"] == "shop"
    assert service["spec"]["selector"] == {"app.kubernetes.io/name": "greeter"}
    # A layout cannot be pulled by a cluster.
    p = dsoctl("deploy", "--image", layout, "--target",
               "kubernetes://shop/greeter", "--verify-key", str(keys[1]),
               "--require-gate", "final:2", "--render-only", agent=agent,
               check=2)
    assert "deploys from a registry" in p.stderr


def test_kubernetes_rollout_that_never_gets_ready_is_undone(agent, tmp_path,
                                                            keys, registry):
    # kubectl itself, standing in for a cluster this machine does not have:
    # it records its calls, applies, and reports the rollout as failed.
    ref, _, _ = pushed_release(agent, tmp_path, keys, registry)
    fake = tmp_path / "bin"
    fake.mkdir()
    calls = tmp_path / "kubectl.calls"
    (fake / "kubectl").write_text(
        "#!/bin/sh\n"
        f"echo \"$*\" >> {calls}\n"
        "case \"$1\" in rollout) [ \"$2\" = undo ] && exit 0;"
        " echo 'deployment \"greeter\" exceeded its progress deadline'; exit 1;;"
        " esac\nexit 0\n")
    (fake / "kubectl").chmod(0o755)
    p = dsoctl("deploy", "--image", ref, "--target", "kubernetes://shop/greeter",
               "--verify-key", str(keys[1]), "--require-gate", "final:2",
               "--health-timeout", "5",
               env={"PATH": f"{fake}:{os.environ['PATH']}",
                    "DSO_REGISTRY_PLAIN_HTTP": "1"},
               json_file=tmp_path / "k.json", check=1)  # embedded
    lines = calls.read_text().splitlines()
    assert lines[0].startswith("apply -f ")
    assert lines[1] == "rollout status deployment/greeter -n shop --timeout=5s"
    assert lines[2] == "rollout undo deployment/greeter -n shop"
    assert p.summary["outputs"]["rolled_back"] == "true"
    assert "exceeded its progress deadline" in p.stderr


def test_named_target_from_the_agents_config(make_agent, tmp_path, keys, srv):
    # The operator's target: its key, level, health check and policy; a
    # request names it and cannot change what admits or confines it.
    port = free_port()
    policy = tmp_path / "web-rasp.yaml"
    policy.write_text("mode: block\nexec: [/usr/bin/python3]\n")
    agent = make_agent(config=f"""
deploy_targets:
  web:
    dir: {srv}/web
    verify_key: {keys[1]}
    level: 2
    health: http://127.0.0.1:{{port}}/healthz
    port: {port}
    rasp: {policy}
    shared: [data]
""").start()
    r = Release(agent, tmp_path, keys)
    image = r.build("named")
    r.sign(image)
    p = dsoctl("deploy", "--image", image, "--target", "web", agent=agent,
               json_file=tmp_path / "web.json", check=0)
    assert p.summary["outputs"]["release"]
    assert get(port, "/healthz")[0] == 200
    release = srv / "web" / "current" / "rootfs" / "app"
    assert os.readlink(release / "data") == f"{srv}/web/shared/data"
    assert os.stat(srv / "web" / "shared" / "data").st_uid == 65532
    events = (srv / "web" / "events.jsonl").read_text()
    assert '"mode":"block"' in events
    dsoctl("keys", "generate", "--out", str(tmp_path / "mine"), check=0)
    p = dsoctl("deploy", "--image", image, "--target", "web", "--verify-key",
               str(tmp_path / "mine.pub"), agent=agent)
    assert p.returncode == 2 and "cannot choose another" in p.stderr
    p = dsoctl("deploy", "--image", image, "--target", "web", "--rasp",
               str(tmp_path / "web-rasp.yaml"), agent=agent)
    assert p.returncode == 2 and "configured RASP policy" in p.stderr
    p = dsoctl("deploy", "--image", image, "--target", "nowhere", agent=agent)
    assert p.returncode == 2 and "not defined in the agent's config" in p.stderr
    dsoctl("deploy", "stop", "--target", "web", agent=agent, check=0)


def test_bad_deploy_targets_keep_the_agent_from_starting(make_agent):
    agent = make_agent(config="deploy_targets:\n  web: {dir: relative}\n")
    with pytest.raises(RuntimeError, match="deploy_targets.web.dir"):
        agent.start()
