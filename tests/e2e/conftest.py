"""Fixtures for end-to-end tests: a real dso-agent on a temporary Unix
socket (or loopback TCP with mutual TLS), dsoctl as a subprocess, and Python
gRPC stubs generated from proto/ with protoc and Debian's grpc_python_plugin.
"""
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("DSO_BUILD_DIR", ROOT / "build"))
AGENT_BIN = BUILD / "agent" / "dso-agent"
DSOCTL_BIN = BUILD / "dsoctl" / "dsoctl"


def generate_python_stubs(out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    protos = sorted(str(p.relative_to(ROOT / "proto"))
                    for p in (ROOT / "proto" / "dso" / "v1").glob("*.proto"))
    subprocess.run(
        ["protoc", f"-I{ROOT / 'proto'}", f"--python_out={out_dir}",
         f"--grpc_python_out={out_dir}",
         "--plugin=protoc-gen-grpc_python=/usr/bin/grpc_python_plugin",
         *protos], check=True, cwd=ROOT / "proto")
    return out_dir


@pytest.fixture(scope="session")
def stubs(tmp_path_factory):
    out = generate_python_stubs(tmp_path_factory.mktemp("stubs"))
    sys.path.insert(0, str(out))
    from dso.v1 import agent_pb2, agent_pb2_grpc, artifact_pb2, \
        artifact_pb2_grpc, steps_pb2  # noqa: F401
    import types
    return types.SimpleNamespace(agent_pb2=agent_pb2,
                                 agent_pb2_grpc=agent_pb2_grpc,
                                 artifact_pb2=artifact_pb2,
                                 artifact_pb2_grpc=artifact_pb2_grpc,
                                 steps_pb2=steps_pb2, path=out)


class Agent:
    """A dso-agent process with its own data dir and config."""

    def __init__(self, base: Path, config: str = "", listen=None,
                 extra_args=(), env=None):
        self.base = base
        self.data_dir = base / "data"
        self.socket = base / "agent.sock"
        self.log_path = base / "agent.log"
        self.config_path = base / "agent.yaml"
        self.config_path.write_text(config)
        self.listen = listen or [f"unix://{self.socket}"]
        self.extra_args = list(extra_args)
        # Variables added to the agent's environment (its own credentials).
        self.env = dict(os.environ, **(env or {}))
        self.proc = None
        self.address = None
        self.metrics_port = None

    def start(self, wait=True):
        args = [str(AGENT_BIN), "--config", str(self.config_path),
                "--data-dir", str(self.data_dir), *self.extra_args]
        for addr in self.listen:
            args += ["--listen", addr]
        self._log_start = self.log_path.stat().st_size \
            if self.log_path.exists() else 0
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(args, stdout=self._log,
                                     stderr=subprocess.STDOUT, env=self.env)
        if wait:
            self.wait_ready()
        return self

    def log_records(self, since_start=False):
        out = []
        text = self.log_path.read_bytes()
        if since_start:
            text = text[self._log_start:]
        for line in text.decode(errors="replace").splitlines():
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                pass
        return out

    def wait_ready(self, timeout=15):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"agent exited {self.proc.returncode}: "
                    f"{self.log_path.read_text()}")
            for rec in self.log_records(since_start=True):
                if "dso.listen" in rec:
                    self.address = rec["dso.listen"].split(",")[0]
                if "dso.metrics_port" in rec:
                    self.metrics_port = int(rec["dso.metrics_port"])
            if self.address:
                return
            time.sleep(0.05)
        raise RuntimeError("agent did not start: " + self.log_path.read_text())

    def stop(self, sig=signal.SIGTERM, timeout=30):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc:
            self._log.close()
        self.address = None
        return self.proc.returncode if self.proc else None


@pytest.fixture
def make_agent(tmp_path):
    agents = []

    def make(config="", name="agent", **kw):
        base = tmp_path / name
        base.mkdir(exist_ok=True)
        a = Agent(base, config, **kw)
        agents.append(a)
        return a

    yield make
    for a in agents:
        a.stop(signal.SIGKILL)


@pytest.fixture
def agent(make_agent):
    return make_agent().start()


def dsoctl(*args, agent=None, json_file=None, cwd=None, env=None,
           timeout=60, check=None, extra_global=()):
    """Runs dsoctl; returns CompletedProcess with .summary when --json."""
    cmd = [str(DSOCTL_BIN)]
    if agent is not None:
        cmd += ["--agent", agent.address]
    cmd += list(extra_global)
    if json_file:
        cmd += ["--json", str(json_file)]
    cmd += list(args)
    full_env = dict(os.environ)
    full_env.pop("DSO_AGENT", None)
    full_env.update(env or {})
    p = subprocess.run(cmd, capture_output=True, text=True, cwd=cwd,
                       env=full_env, timeout=timeout)
    p.summary = json.loads(Path(json_file).read_text()) if json_file and \
        Path(json_file).exists() else None
    if check is not None:
        assert p.returncode == check, (p.returncode, p.stdout, p.stderr)
    return p


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], check=True, cwd=cwd,
                   capture_output=True)


def make_ca(d, name):
    """A self-signed CA, d/NAME.pem and d/NAME.key."""
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt",
            "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
            "-keyout", f"{name}.key", "-out", f"{name}.pem",
            "-subj", f"/CN={name}", cwd=d)


def make_cert(d, name, ca, san=None, cn=None):
    """d/NAME.pem and d/NAME.key signed by the CA d/CA.pem: a server
    certificate with `san`, else a client certificate; its common name is
    `cn`, else NAME."""
    openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
            "-nodes", "-keyout", f"{name}.key", "-out", f"{name}.csr",
            "-subj", f"/CN={cn or name}", cwd=d)
    ext = d / f"{name}.ext"
    ext.write_text(f"subjectAltName={san}\n" if san else
                   "extendedKeyUsage=clientAuth\n")
    openssl("x509", "-req", "-in", f"{name}.csr", "-CA", f"{ca}.pem",
            "-CAkey", f"{ca}.key", "-CAcreateserial", "-days", "2",
            "-out", f"{name}.pem", "-extfile", str(ext), cwd=d)


def tls_args(pki, client):
    """dsoctl's global options to connect as `client` of the PKI dir."""
    return ["--tls-cert", f"{pki}/{client}.pem", "--tls-key",
            f"{pki}/{client}.key", "--tls-ca", f"{pki}/ca.pem"]


def wait_for_port(port: int, timeout: float = 10.0):
    """Waits until something listens on 127.0.0.1:port (a server a test
    started)."""
    import socket
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), 0.1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port}")


def run_id_from(stderr: str) -> str:
    m = re.search(r"\[dso\] run (\S+) started", stderr)
    assert m, stderr
    return m.group(1)


def journal_of(data_dir: Path, run_id: str) -> Path:
    """The journal of a run: the file under runs/ whose first record (the
    run's start event, runtime/journal.h) names it."""
    for f in (Path(data_dir) / "runs").glob("*.journal"):
        data = f.read_bytes()
        if data[:4] != (0xD5017E11).to_bytes(4, "little"):
            continue  # free
        length = int.from_bytes(data[4:8], "little")
        if run_id.encode() in data[12:12 + length]:
            return f
    raise AssertionError(f"no journal holds run {run_id} in {data_dir}")


def pid_alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
        return state != "Z"
    except FileNotFoundError:
        return False


def wait_for(predicate, timeout=10.0, interval=0.05):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


def start_exec(agent, script, cwd, *options, stderr=subprocess.PIPE):
    """Starts `dsoctl exec [options] -- sh -c SCRIPT` in the background."""
    return subprocess.Popen(
        [str(DSOCTL_BIN), "--agent", agent.address, "exec", *options, "--",
         "sh", "-c", script],
        stdout=subprocess.PIPE, stderr=stderr, text=True, cwd=cwd)
