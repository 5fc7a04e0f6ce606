"""Item 1 of the trust boundary: a file a request names is read only if it
is a regular file, and at most a cap of bytes per kind; a request that
names /dev/zero, a FIFO or a huge file fails alone, with a clear error, and
the agent keeps serving."""
import os
import time

import grpc

from conftest import alive


def unix_stub(stubs, agent):
    ch = grpc.insecure_channel(agent.address)
    return stubs.agent_pb2_grpc.AgentStub(ch)


def run(stubs, agent, req, timeout=60):
    started = time.monotonic()
    events = list(unix_stub(stubs, agent).RunStep(req, timeout=timeout))
    return events[-1].result, time.monotonic() - started


def sign_blob_request(stubs, blob, key):
    pb = stubs.agent_pb2
    req = pb.RunStepRequest(step="sign")
    req.sign.blob.local_path = str(blob)
    req.sign.key = key
    return req


def test_signing_key_that_is_a_device_fifo_or_huge_fails_the_run_only(
        make_agent, stubs, tmp_path):
    # Every key file path is bound, so the agent reads what is named.
    a = make_agent(f"allowed_roots: ['{tmp_path}']\n"
                   "credentials: [{to: 'file:///', env: [DSO_KEY_PASSWORD]}]\n"
                   ).start()
    blob = tmp_path / "blob.txt"
    blob.write_text("payload\n")
    fifo = tmp_path / "key.fifo"
    os.mkfifo(fifo)
    huge = tmp_path / "huge.key"
    with open(huge, "wb") as f:
        f.truncate(3 << 20)  # sparse: 3 MiB, over the 1 MiB key cap
    cases = {
        "file:///dev/zero": "a character device",
        "file:///dev/urandom": "a character device",
        f"file://{fifo}": "a FIFO",
        f"file://{tmp_path}": "a directory",
        f"file://{huge}": "more than the 1048576 bytes a key file may have",
    }
    for key, why in cases.items():
        result, took = run(stubs, a, sign_blob_request(stubs, blob, key))
        assert result.outcome == stubs.agent_pb2.ERROR, key
        assert why in result.message, (key, result.message)
        assert took < 20, (key, took)  # a FIFO is never waited on
        assert alive(stubs, a)


def scan_with_config(stubs, target, toml):
    req = stubs.agent_pb2.RunStepRequest(step="scan")
    req.scan.target.local_path = str(target)
    req.scan.scanners.append("secrets")
    req.scan.secrets.config_toml = toml
    req.scan.secrets.config_name = "hostile.toml"
    return req


def test_gitleaks_extend_path_out_of_the_tree_or_to_a_fifo_fails_the_run(
        make_agent, stubs, tmp_path):
    a = make_agent(f"allowed_roots: ['{tmp_path}']\n").start()
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "a.txt").write_text("nothing here\n")
    os.mkfifo(tree / "rules.fifo")
    os.mkdir(tree / "sub")
    os.symlink("/dev/zero", tree / "zero")
    os.symlink("../../../../../../etc/passwd", tree / "sub" / "up")
    for path, why in (("/dev/zero", "must be relative to the scanned"),
                      ("rules.fifo", "a FIFO"),
                      ("zero", "leads outside"),
                      ("sub/up", "leads outside"),
                      ("../../../etc/passwd", "leads outside")):
        toml = f'[extend]\npath = "{path}"\n'
        result, took = run(stubs, a, scan_with_config(stubs, tree, toml))
        assert result.outcome == stubs.agent_pb2.ERROR, path
        assert why in result.message, (path, result.message)
        assert took < 20
        assert alive(stubs, a)


def test_a_fifo_in_a_scanned_tree_is_skipped_not_waited_on(
        make_agent, stubs, tmp_path):
    a = make_agent(f"allowed_roots: ['{tmp_path}']\n").start()
    tree = tmp_path / "tree"
    tree.mkdir()
    os.mkfifo(tree / "pipe")
    os.mkfifo(tree / "requirements-dev.txt")  # a lockfile by its name
    (tree / "requirements.txt").write_text("requests==2.0.0\n")
    req = stubs.agent_pb2.RunStepRequest(step="scan")
    req.scan.target.local_path = str(tree)
    result, took = run(stubs, a, req)
    assert result.outcome == stubs.agent_pb2.SUCCEEDED, result.message
    assert took < 20
    assert alive(stubs, a)
