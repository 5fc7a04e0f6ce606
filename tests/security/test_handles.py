"""Directories handed to the agent by descriptor (runtime/input_handles.h,
issue 22 item 5) keep the trust boundary: the agent takes one only from its
own user or root (it reads beneath it with its own rights), a handle is
its identity's alone, used once, and unknown handles start no run."""
import os
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import grpc
import pytest

from conftest import alive

HAND_OVER = r"""
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
fd = os.open(sys.argv[2], os.O_RDONLY | os.O_DIRECTORY)
socket.send_fds(s, [b"h"], [fd])
print(s.makefile().readline().strip())
"""


def hand_over(sock, directory, user=None):
    cmd = [sys.executable, "-c", HAND_OVER, str(sock), str(directory)]
    if user:
        cmd = ["runuser", "-u", user, "--"] + cmd
    return subprocess.run(cmd, capture_output=True, text=True, timeout=30,
                          cwd="/").stdout.strip()


@pytest.fixture
def shared(make_agent):
    """An agent on a socket every user may reach, and on loopback TCP (an
    identity other than any Unix user)."""
    d = Path(tempfile.mkdtemp(prefix="dso-handles-"))
    d.chmod(0o755)
    a = make_agent("socket_mode: '0666'\ninsecure_tcp: true\n",
                   listen=[f"unix://{d}/agent.sock", "127.0.0.1:0"]).start()
    yield a, Path(f"{d}/agent.sock.handles")
    subprocess.run(["rm", "-rf", str(d)])


def tcp_address(agent):
    for rec in agent.log_records():
        if "dso.listen" in rec:
            return [x for x in rec["dso.listen"].split(",")
                    if x.startswith("127.")][0]


def scan_request(stubs, handle):
    req = stubs.agent_pb2.RunStepRequest(step="scan")
    req.scan.target.handle = handle
    req.scan.scanners.append("secrets")
    return req


def test_a_handle_is_taken_only_from_the_agents_user_or_root(
        shared, stubs, tmp_path):
    a, sock = shared
    tree = Path(tempfile.mkdtemp(prefix="dso-tree-"))
    tree.chmod(0o755)
    try:
        if os.geteuid() == 0:
            reply = hand_over(sock, tree, user="nobody")
            assert reply.startswith("ERR the agent runs as another user"), \
                reply
        reply = hand_over(sock, tree)
        assert reply.startswith("OK ") and len(reply) == 3 + 32, reply
    finally:
        subprocess.run(["rm", "-rf", str(tree)])
    assert alive(stubs, a)


def test_a_handle_is_its_identitys_and_used_once(shared, stubs, tmp_path):
    a, sock = shared
    (tmp_path / "a.txt").write_text("nothing here\n")
    handle = hand_over(sock, tmp_path)[3:]
    # Another identity (plain TCP on loopback) may not use it.
    other = stubs.agent_pb2_grpc.AgentStub(
        grpc.insecure_channel(tcp_address(a)))
    with pytest.raises(grpc.RpcError) as e:
        list(other.RunStep(scan_request(stubs, handle), timeout=30))
    assert e.value.code() == grpc.StatusCode.NOT_FOUND, e.value.details()
    assert "input handle" in e.value.details()
    # Its own identity uses it, once.
    own = stubs.agent_pb2_grpc.AgentStub(grpc.insecure_channel(a.address))
    events = list(own.RunStep(scan_request(stubs, handle), timeout=60))
    assert events[-1].result.outcome == stubs.agent_pb2.SUCCEEDED, \
        events[-1].result.message
    for h in (handle, "0" * 32, "../../etc"):
        with pytest.raises(grpc.RpcError) as e:
            list(own.RunStep(scan_request(stubs, h), timeout=30))
        assert e.value.code() == grpc.StatusCode.NOT_FOUND
    # Nothing was uploaded.
    blobs = a.data_dir / "store" / "blobs" / "sha256"
    assert list(blobs.iterdir()) == []
    assert alive(stubs, a)


def test_garbage_on_the_handle_socket_is_refused(shared, stubs):
    a, sock = shared
    for payload in (b"", b"hello without a descriptor", b"x" * 70000):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(str(sock))
        if payload:
            s.sendall(payload)
        s.shutdown(socket.SHUT_WR)
        s.settimeout(10)
        reply = s.makefile().readline()
        s.close()
        assert not reply.startswith("OK"), reply
    assert alive(stubs, a)
