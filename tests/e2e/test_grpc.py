"""The wire contract, driven by a Python gRPC client generated from proto/:
streaming, health and reflection, the artifact service, bad input."""
import hashlib
import subprocess

import grpc
import pytest

from conftest import ROOT, dsoctl


def channel_for(agent):
    return grpc.insecure_channel("unix:" + agent.address[len("unix://"):])


def test_run_step_streams_ordered_events(agent, stubs):
    stub = stubs.agent_pb2_grpc.AgentStub(channel_for(agent))
    req = stubs.agent_pb2.RunStepRequest(step="noop")
    req.noop.log_lines = 5000
    events = list(stub.RunStep(req, timeout=60))
    assert events[0].WhichOneof("kind") == "started"
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    text = "".join(e.log.text for e in events if e.WhichOneof("kind") == "log")
    assert text.count("\n") == 5000
    assert events[-1].result.outcome == stubs.agent_pb2.SUCCEEDED
    run = stub.GetRun(stubs.agent_pb2.GetRunRequest(run_id=events[0].run_id))
    assert run.state == stubs.agent_pb2.FINISHED
    assert run.last_seq == events[-1].seq


def test_attach_from_sequence_number(agent, stubs):
    stub = stubs.agent_pb2_grpc.AgentStub(channel_for(agent))
    req = stubs.agent_pb2.RunStepRequest(step="noop")
    req.noop.log_lines = 200000
    events = list(stub.RunStep(req, timeout=60))
    run_id = events[0].run_id
    tail = list(stub.Attach(stubs.agent_pb2.AttachRequest(
        run_id=run_id, from_seq=3), timeout=60))
    assert [e.seq for e in tail] == [e.seq for e in events[2:]]
    assert tail[-1].HasField("result")


def test_info_lists_steps_and_capabilities(agent, stubs):
    stub = stubs.agent_pb2_grpc.AgentStub(channel_for(agent))
    info = stub.GetInfo(stubs.agent_pb2.GetInfoRequest())
    assert {"exec", "noop"} <= set(info.steps)
    assert "artifacts" in info.capabilities
    assert info.version


def test_health_service_reports_serving(agent):
    check = channel_for(agent).unary_unary(
        "/grpc.health.v1.Health/Check",
        request_serializer=lambda _: b"",
        response_deserializer=lambda b: b)
    assert check(None, timeout=10) == b"\x08\x01"  # status: SERVING


def test_reflection_lists_the_services(agent):
    info = channel_for(agent).stream_stream(
        "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
        request_serializer=lambda x: x, response_deserializer=lambda b: b)
    # ServerReflectionRequest{list_services: ""} is field 7, empty string.
    [response] = list(info(iter([b"\x3a\x00"]), timeout=10))
    for name in (b"dso.v1.Agent", b"dso.v1.Artifacts", b"grpc.health.v1.Health"):
        assert name in response


def test_bad_requests_get_clear_errors_and_the_agent_keeps_serving(agent, stubs):
    stub = stubs.agent_pb2_grpc.AgentStub(channel_for(agent))
    pb = stubs.agent_pb2
    with pytest.raises(grpc.RpcError) as e:
        list(stub.RunStep(pb.RunStepRequest(step="frobnicate")))
    assert e.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "unknown step 'frobnicate'" in e.value.details()
    with pytest.raises(grpc.RpcError) as e:
        list(stub.RunStep(pb.RunStepRequest(step="exec")))
    assert e.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "needs its parameters" in e.value.details()
    req = pb.RunStepRequest(step="exec")
    req.exec.argv.append("x" * (5 << 20))  # over the 4 MiB message limit
    with pytest.raises(grpc.RpcError) as e:
        list(stub.RunStep(req))
    assert e.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    with pytest.raises(grpc.RpcError) as e:
        stub.GetRun(pb.GetRunRequest(run_id="nope"))
    assert e.value.code() == grpc.StatusCode.NOT_FOUND
    # Still serving.
    assert stub.GetInfo(pb.GetInfoRequest()).version


def put(stub, pb, data, digest=None, size=None, chunk=1 << 20):
    digest = digest or "sha256:" + hashlib.sha256(data).hexdigest()
    size = len(data) if size is None else size

    def messages():
        yield pb.PutRequest(digest=digest, size=size, data=data[:chunk])
        for off in range(chunk, len(data), chunk):
            yield pb.PutRequest(data=data[off:off + chunk])
    return stub.Put(messages(), timeout=60)


def test_artifact_put_get_stat(agent, stubs):
    pb = stubs.artifact_pb2
    stub = stubs.artifact_pb2_grpc.ArtifactsStub(channel_for(agent))
    data = bytes(range(256)) * 20000  # 5 MB, several chunks
    info = put(stub, pb, data)
    assert info.size == len(data)
    got = b"".join(c.data for c in stub.Get(pb.GetRequest(digest=info.digest)))
    assert got == data
    assert stub.Stat(pb.StatRequest(digest=info.digest)).size == len(data)


def test_digest_mismatch_is_rejected_and_nothing_stored(agent, stubs):
    pb = stubs.artifact_pb2
    stub = stubs.artifact_pb2_grpc.ArtifactsStub(channel_for(agent))
    claimed = "sha256:" + hashlib.sha256(b"what I claim").hexdigest()
    with pytest.raises(grpc.RpcError) as e:
        put(stub, pb, b"what I send", digest=claimed)
    assert e.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "digest mismatch" in e.value.details()
    for digest in (claimed,
                   "sha256:" + hashlib.sha256(b"what I send").hexdigest()):
        with pytest.raises(grpc.RpcError) as e:
            stub.Stat(pb.StatRequest(digest=digest))
        assert e.value.code() == grpc.StatusCode.NOT_FOUND
    with pytest.raises(grpc.RpcError) as e:
        put(stub, pb, b"12345", size=3)
    assert e.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    with pytest.raises(grpc.RpcError) as e:
        stub.Stat(pb.StatRequest(digest="sha256:../../etc/passwd"))
    assert e.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    tmp = agent.data_dir / "store" / "tmp"
    assert list(tmp.iterdir()) == []


def test_dsoctl_store_put_and_get(agent, tmp_path):
    src = tmp_path / "blob.bin"
    src.write_bytes(b"\x00\x01 artifact " * 1000)
    p = dsoctl("store", "put", str(src), agent=agent, check=0)
    digest, size = p.stdout.split()
    assert digest == "sha256:" + hashlib.sha256(src.read_bytes()).hexdigest()
    assert int(size) == src.stat().st_size
    out = tmp_path / "copy.bin"
    dsoctl("store", "get", digest, str(out), agent=agent, check=0)
    assert out.read_bytes() == src.read_bytes()
    missing = dsoctl("store", "get", "sha256:" + "0" * 64, str(tmp_path / "x"),
                     agent=agent)
    assert missing.returncode == 2
    assert not (tmp_path / "x").exists()
    # Remote stores (test_store.py) need their credentials, named when
    # missing; an unknown scheme lists the ones there are.
    remote = dsoctl("store", "put", str(src), "s3://bucket/key", agent=agent,
                    env={"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""})
    assert remote.returncode == 2
    assert "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY" in remote.stderr
    odd = dsoctl("store", "put", str(src), "gopher://x/y", agent=agent)
    assert odd.returncode == 2 and "use file:///DIR, s3://" in odd.stderr


def test_python_example_client(agent, tmp_path):
    p = subprocess.run(
        ["/usr/bin/python3", str(ROOT / "examples" / "python" / "run_step.py"),
         "--agent", agent.address, "--stubs", str(tmp_path / "stubs"), "--",
         "sh", "-c", "echo from python; exit 5"],
        capture_output=True, text=True, timeout=60)
    assert p.stdout == "from python\n"
    assert "POLICY_FAILED" in p.stderr
    assert p.returncode == 5


def test_hostile_input_tar_is_refused_naming_the_entry(agent, stubs, tmp_path):
    import io
    import tarfile
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        info = tarfile.TarInfo("../../escape.txt")
        data = b"owned"
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    blob = put(stubs.artifact_pb2_grpc.ArtifactsStub(channel_for(agent)),
               stubs.artifact_pb2, buf.getvalue())
    pb = stubs.agent_pb2
    req = pb.RunStepRequest(step="exec")
    req.exec.argv.append("true")
    req.exec.workdir.tar_digest = blob.digest
    events = list(stubs.agent_pb2_grpc.AgentStub(channel_for(agent))
                  .RunStep(req, timeout=60))
    result = events[-1].result
    assert result.outcome == pb.ERROR
    assert "../../escape.txt" in result.message
    assert not (agent.data_dir / "escape.txt").exists()
    assert not (agent.data_dir.parent / "escape.txt").exists()


def test_grpcurl_discovers_and_calls_through_reflection(agent):
    import shutil
    grpcurl = shutil.which("grpcurl")
    if not grpcurl:
        pytest.skip("grpcurl is not installed (scripts/setup.sh installs it)")
    sock = agent.address[len("unix://"):]
    listing = subprocess.run([grpcurl, "-plaintext", "-unix", sock, "list"],
                             capture_output=True, text=True, timeout=60)
    assert "dso.v1.Agent" in listing.stdout.split()
    run = subprocess.run(
        [grpcurl, "-plaintext", "-unix", "-d",
         '{"step":"exec","exec":{"argv":["echo","via grpcurl"]}}', sock,
         "dso.v1.Agent/RunStep"], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert '"text": "via grpcurl\\n"' in run.stdout
    assert '"outcome": "SUCCEEDED"' in run.stdout
