"""Item 2 of the trust boundary, for paths other than inputs: file://
stores only beneath the agent's store_roots, database directories and key
files only beneath its allowed_roots, each resolved (links followed) before
the check; a store read never deletes anything."""
import grpc

from conftest import alive, dsoctl

ZERO = "sha256:" + "0" * 64


def roots_agent(make_agent, tmp_path):
    (tmp_path / "ws").mkdir()
    (tmp_path / "stores").mkdir()
    return make_agent(f"allowed_roots: ['{tmp_path}/ws']\n"
                      f"store_roots: ['{tmp_path}/stores']\n").start()


def run(stubs, agent, req):
    stub = stubs.agent_pb2_grpc.AgentStub(grpc.insecure_channel(agent.address))
    return list(stub.RunStep(req, timeout=60))[-1].result


def test_file_stores_only_beneath_store_roots(make_agent, stubs, tmp_path):
    a = roots_agent(make_agent, tmp_path)
    f = tmp_path / "ws" / "f.txt"
    f.write_text("artifact\n")
    elsewhere = tmp_path / "elsewhere" / "new" / "dir"
    p = dsoctl("store", "put", str(f), f"file://{elsewhere}", agent=a)
    assert p.returncode != 0
    assert "outside the agent's store_roots" in p.stderr, p.stderr
    assert not (tmp_path / "elsewhere").exists()
    # A link inside the store roots that leads out is followed, then
    # refused; one that leads nowhere yet is refused too.
    (tmp_path / "stores" / "dangling").symlink_to(tmp_path / "elsewhere")
    p = dsoctl("store", "put", str(f),
               f"file://{tmp_path}/stores/dangling/cas", agent=a)
    assert p.returncode != 0 and "cannot be resolved" in p.stderr, p.stderr
    assert not (tmp_path / "elsewhere").exists()
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "stores" / "out").symlink_to(tmp_path / "elsewhere")
    p = dsoctl("store", "put", str(f), f"file://{tmp_path}/stores/out/cas",
               agent=a)
    assert "outside the agent's store_roots" in p.stderr, p.stderr
    assert list((tmp_path / "elsewhere").iterdir()) == []
    # Beneath them: stored, and read back.
    p = dsoctl("store", "put", str(f), f"file://{tmp_path}/stores/cas",
               agent=a, json_file=tmp_path / "put.json", check=0)
    digest = p.summary["outputs"]["digest"]
    dsoctl("store", "get", f"file://{tmp_path}/stores/cas/{digest}",
           str(tmp_path / "back.txt"), agent=a, check=0)
    assert (tmp_path / "back.txt").read_text() == "artifact\n"
    assert alive(stubs, a)


def test_store_get_never_empties_a_directory(make_agent, stubs, tmp_path):
    a = roots_agent(make_agent, tmp_path)
    for victim in (tmp_path / "victim", tmp_path / "stores" / "victim"):
        (victim / "tmp").mkdir(parents=True)
        (victim / "tmp" / "keep.txt").write_text("mine\n")
        p = dsoctl("store", "get", f"file://{victim}/{ZERO}",
                   str(tmp_path / "out.bin"), agent=a)
        assert p.returncode != 0
        assert (victim / "tmp" / "keep.txt").read_text() == "mine\n"
        assert not (victim / "blobs").exists()
    assert "not a dso store" in p.stderr, p.stderr
    assert alive(stubs, a)


def test_database_directory_only_beneath_allowed_roots(make_agent, stubs,
                                                      tmp_path):
    a = roots_agent(make_agent, tmp_path)
    for step in ("db", "scan"):
        req = stubs.agent_pb2.RunStepRequest(step=step)
        if step == "db":
            req.db.db = str(tmp_path / "elsewhere" / "osv")
        else:
            req.scan.target.local_path = str(tmp_path / "ws")
            req.scan.scanners.append("deps")
            req.scan.db = str(tmp_path / "elsewhere" / "osv")
        result = run(stubs, a, req)
        assert result.outcome == stubs.agent_pb2.ERROR, step
        assert "outside the agent's allowed_roots" in result.message, \
            result.message
    assert not (tmp_path / "elsewhere").exists()
    req = stubs.agent_pb2.RunStepRequest(step="db")
    req.db.db = str(tmp_path / "ws" / "osv")
    assert run(stubs, a, req).outcome == stubs.agent_pb2.SUCCEEDED
    assert alive(stubs, a)


def test_verify_key_file_only_beneath_allowed_roots(make_agent, stubs,
                                                    tmp_path):
    a = roots_agent(make_agent, tmp_path)
    dsoctl("keys", "generate", "--out", str(tmp_path / "outside"),
           env={"DSO_KEY_PASSWORD": ""}, check=0)
    blob = tmp_path / "ws" / "blob.txt"
    blob.write_text("payload\n")
    req = stubs.agent_pb2.RunStepRequest(step="verify")
    req.verify.blob.local_path = str(blob)
    req.verify.blob_signature = "AAAA"
    for key in (f"file://{tmp_path}/outside.pub", "/etc/passwd",
                f"{tmp_path}/ws/../outside.pub"):
        req.verify.key = key
        result = run(stubs, a, req)
        assert result.outcome == stubs.agent_pb2.ERROR, key
        assert "outside the agent's allowed_roots" in result.message, \
            result.message
    # Beneath them, the key is read (and the bad signature fails the check).
    (tmp_path / "ws" / "k.pub").write_bytes(
        (tmp_path / "outside.pub").read_bytes())
    req.verify.key = f"file://{tmp_path}/ws/k.pub"
    result = run(stubs, a, req)
    assert result.outcome == stubs.agent_pb2.POLICY_FAILED, result.message
    assert alive(stubs, a)
