"""Item 6 of the trust boundary, and the agent's own deadlines (item 5):
every length, count and enum of a request is checked before a run exists;
uploads are bounded by the bytes received; no string an event carries
breaks a client; a command that ignores SIGTERM dies at the agent's kill
grace, whatever the request asked for."""
import hashlib
import io
import tarfile
import time

import grpc
import pytest

from conftest import alive


def stub_of(stubs, agent):
    return stubs.agent_pb2_grpc.AgentStub(grpc.insecure_channel(agent.address))


def refused(call):
    with pytest.raises(grpc.RpcError) as e:
        call()
    return e.value.code(), e.value.details()


def test_oversized_and_unknown_request_values_are_refused(agent, stubs):
    pb = stubs.agent_pb2
    stub = stub_of(stubs, agent)
    big_key = pb.RunStepRequest(step="noop", idempotency_key="k" * (3 << 20))
    code, details = refused(lambda: list(stub.RunStep(big_key, timeout=30)))
    assert code == grpc.StatusCode.INVALID_ARGUMENT
    assert "idempotency_key" in details and "at most 256" in details
    scan = pb.RunStepRequest(step="scan")
    scan.scan.target.local_path = "/nonexistent"
    scan.scan.fail_on = 77
    code, details = refused(lambda: list(stub.RunStep(scan, timeout=30)))
    assert code == grpc.StatusCode.INVALID_ARGUMENT
    assert "scan.fail_on has the value 77" in details
    argv = pb.RunStepRequest(step="exec")
    argv.exec.argv.extend(["true"] * 5000)
    code, details = refused(lambda: list(stub.RunStep(argv, timeout=30)))
    assert code == grpc.StatusCode.INVALID_ARGUMENT
    assert "exec.argv has 5000 entries" in details
    assert list(stub.ListRuns(pb.ListRunsRequest(), timeout=10).runs) == []
    assert alive(stubs, agent)


def test_an_upload_cannot_write_past_its_declared_size(make_agent, stubs):
    a = make_agent("max_blob_bytes: 1048576\n").start()
    blobs = stubs.artifact_pb2_grpc.ArtifactsStub(
        grpc.insecure_channel(a.address))
    apb = stubs.artifact_pb2
    chunk = b"z" * (1 << 20)
    digest = "sha256:" + hashlib.sha256(chunk * 50).hexdigest()

    def stream(declared):
        yield apb.PutRequest(digest=digest, size=declared, data=chunk)
        for _ in range(49):
            yield apb.PutRequest(data=chunk)
    for declared in (0, 1000):
        code, details = refused(lambda: blobs.Put(stream(declared), timeout=60))
        assert code == grpc.StatusCode.INVALID_ARGUMENT, details
        assert "larger than its declared" in details
    leftovers = [f for f in (a.data_dir / "store" / "tmp").iterdir()]
    assert leftovers == []
    assert list((a.data_dir / "store" / "blobs" / "sha256").iterdir()) == []
    assert alive(stubs, a)


def test_invalid_utf8_names_do_not_break_listing_or_following(agent, stubs):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT,
                      encoding="utf-8", errors="surrogateescape") as t:
        data = b"aws_secret = AKIAIOSFODNN7EXAMPLQ\n"
        info = tarfile.TarInfo(b"\xff\xfe-bad.txt".decode(
            "utf-8", "surrogateescape"))
        info.size = len(data)
        t.addfile(info, io.BytesIO(data))
    blob = buf.getvalue()
    apb = stubs.artifact_pb2
    digest = "sha256:" + hashlib.sha256(blob).hexdigest()
    stubs.artifact_pb2_grpc.ArtifactsStub(
        grpc.insecure_channel(agent.address)).Put(iter([apb.PutRequest(
            digest=digest, size=len(blob), data=blob)]), timeout=30)
    pb = stubs.agent_pb2
    stub = stub_of(stubs, agent)
    req = pb.RunStepRequest(step="exec")
    req.exec.argv.extend(["sh", "-c", "ls; printf '\\377 bad byte\\n' >&2"])
    req.exec.workdir.tar_digest = digest
    events = list(stub.RunStep(req, timeout=60))
    assert events[-1].result.outcome == pb.SUCCEEDED
    text = "".join(e.log.text for e in events if e.WhichOneof("kind") == "log")
    assert "\ufffd" in text
    run_id = events[0].run_id
    # Python's protobuf refuses invalid UTF-8: each of these would raise.
    assert run_id in {r.id for r in stub.ListRuns(pb.ListRunsRequest()).runs}
    stub.GetRun(pb.GetRunRequest(run_id=run_id), timeout=10)
    assert len(list(stub.Attach(pb.AttachRequest(run_id=run_id),
                                timeout=10))) == len(events)


def test_a_command_ignoring_sigterm_dies_at_the_agents_kill_grace(
        make_agent, stubs):
    a = make_agent("kill_grace: 1s\n").start()
    pb = stubs.agent_pb2
    req = pb.RunStepRequest(step="exec", deadline_seconds=1)
    req.exec.argv.extend(["sh", "-c", "trap '' TERM; sleep 120 & wait; "
                          "sleep 120"])
    req.exec.kill_grace_seconds = 100000
    started = time.monotonic()
    events = list(stub_of(stubs, a).RunStep(req, timeout=60))
    took = time.monotonic() - started
    assert events[-1].result.outcome == pb.ERROR
    assert "deadline exceeded" in events[-1].result.message
    assert took < 15, took
    assert "SIGKILL in 1s" in "".join(
        e.log.text for e in events if e.WhichOneof("kind") == "log")


def test_runs_are_listed_in_pages_and_descriptions_are_short(agent, stubs):
    """Item 6: responses paginated under the message limit."""
    pb = stubs.agent_pb2
    stub = stub_of(stubs, agent)
    # An argv of megabytes makes a description of at most ~512 bytes.
    big = pb.RunStepRequest(step="exec")
    big.exec.argv.extend(["true"] + ["x" * (100 << 10)] * 10)
    events = list(stub.RunStep(big, timeout=60))
    assert events[-1].result.outcome == pb.SUCCEEDED, events[-1].result
    for _ in range(11):
        noop = pb.RunStepRequest(step="noop")
        noop.noop.SetInParent()
        list(stub.RunStep(noop, timeout=30))
    everything = list(stub.ListRuns(pb.ListRunsRequest(), timeout=10).runs)
    assert len(everything) == 12
    assert all(len(r.description) <= 520 for r in everything)
    assert everything[-1].description.startswith("exec: true xxx")
    seen, token = [], ""
    while True:
        page = stub.ListRuns(pb.ListRunsRequest(limit=5, page_token=token),
                             timeout=10)
        assert len(page.runs) <= 5
        seen += [r.id for r in page.runs]
        token = page.next_page_token
        if not token:
            break
    assert seen == [r.id for r in everything]
    code, details = refused(lambda: stub.ListRuns(
        pb.ListRunsRequest(page_token="not-a-token"), timeout=10))
    assert code == grpc.StatusCode.INVALID_ARGUMENT
    assert alive(stubs, agent)
