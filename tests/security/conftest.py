"""Fixtures for the security tests: the end-to-end fixtures (a real
dso-agent, dsoctl, Python gRPC stubs) from tests/e2e/conftest.py, and a
PKI for identities on mutual TLS."""
import importlib.util
import sys
from pathlib import Path

import pytest

_E2E = Path(__file__).resolve().parents[1] / "e2e"
sys.path.insert(0, str(_E2E))
_spec = importlib.util.spec_from_file_location("e2e_conftest",
                                               _E2E / "conftest.py")
e2e = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(e2e)

stubs = e2e.stubs
make_agent = e2e.make_agent
agent = e2e.agent
dsoctl = e2e.dsoctl
tls_args = e2e.tls_args


@pytest.fixture(scope="session")
def pki(tmp_path_factory):
    """A CA, the agent's certificate and clients: release, dev, and two
    certificates that try to pass for local identities."""
    d = tmp_path_factory.mktemp("pki")
    e2e.make_ca(d, "ca")
    e2e.make_cert(d, "agent", "ca", san="IP:127.0.0.1,DNS:localhost")
    for name in ("release", "dev"):
        e2e.make_cert(d, name, "ca")
    e2e.make_cert(d, "as-local", "ca", cn="local")
    e2e.make_cert(d, "as-unix-root", "ca", cn="unix:root")
    return d


def tls_config(pki, extra=""):
    return (f"tls:\n  cert: {pki}/agent.pem\n  key: {pki}/agent.key\n"
            f"  client_ca: {pki}/ca.pem\n{extra}")


def channel(pki, client, address):
    import grpc
    creds = grpc.ssl_channel_credentials(
        root_certificates=(pki / "ca.pem").read_bytes(),
        private_key=(pki / f"{client}.key").read_bytes(),
        certificate_chain=(pki / f"{client}.pem").read_bytes())
    return grpc.secure_channel(address, creds)


def alive(stubs, agent):
    """The agent still answers (GetInfo over its first listener)."""
    import grpc
    assert agent.proc.poll() is None, agent.log_path.read_text()[-4000:]
    if agent.address.startswith("unix"):
        ch = grpc.insecure_channel(agent.address)
        stub = stubs.agent_pb2_grpc.AgentStub(ch)
        stub.GetInfo(stubs.agent_pb2.GetInfoRequest(), timeout=10)
    return True
