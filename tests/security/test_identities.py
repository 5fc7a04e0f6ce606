"""Item 4 of the trust boundary: every RPC is checked against the caller's
identity. A run belongs to who started it; another identity sees, follows,
cancels and downloads it only when granted; uploads are a right like a
step; certificate names cannot pass for local identities."""
import hashlib
import os
import time
from pathlib import Path

import grpc
import pytest

from conftest import alive, channel, dsoctl, e2e, tls_args, tls_config


@pytest.fixture
def shared_agent(make_agent, pki):
    config = tls_config(pki, "permissions:\n  release: ['*']\n"
                        "  dev: [noop, exec]\n  '*': [noop]\n")
    return make_agent(config, listen=["127.0.0.1:0"]).start()


def stubs_for(stubs, pki, client, agent):
    ch = channel(pki, client, agent.address)
    return (stubs.agent_pb2_grpc.AgentStub(ch),
            stubs.artifact_pb2_grpc.ArtifactsStub(ch))


def code_of(call):
    with pytest.raises(grpc.RpcError) as e:
        call()
    return e.value.code(), e.value.details()


def not_found(call):
    """The call fails NOT_FOUND; returns the error's text."""
    code, details = code_of(call)
    assert code == grpc.StatusCode.NOT_FOUND, details
    return details


def test_another_identitys_runs_and_artifacts_are_not_found(
        shared_agent, stubs, pki, tmp_path):
    pb = stubs.agent_pb2
    release, release_blobs = stubs_for(stubs, pki, "release", shared_agent)
    # A finished run with an artifact, and a live one.
    req = pb.RunStepRequest(step="exec")
    req.exec.argv.extend(["sh", "-c", "echo release-output > out.txt"])
    req.exec.collect.append("out.txt")
    done = list(release.RunStep(req, timeout=60))
    finished_id = done[0].run_id
    artifact = done[-1].result.artifacts[0].digest
    live_req = pb.RunStepRequest(step="exec")
    live_req.exec.argv.extend(["sleep", "60"])
    live = release.RunStep(live_req, timeout=120)
    live_id = next(iter(live)).run_id

    dev, dev_blobs = stubs_for(stubs, pki, "dev", shared_agent)
    listed = dev.ListRuns(pb.ListRunsRequest(), timeout=10)
    assert [r.id for r in listed.runs] == []
    for run_id in (finished_id, live_id):
        assert "visible to identity 'x509:dev'" in not_found(
            lambda: dev.GetRun(pb.GetRunRequest(run_id=run_id), timeout=10))
        not_found(lambda: list(dev.Attach(pb.AttachRequest(run_id=run_id),
                                          timeout=10)))
        not_found(lambda: dev.Cancel(pb.CancelRequest(run_id=run_id),
                                     timeout=10))
    apb = stubs.artifact_pb2
    not_found(lambda: list(dev_blobs.Get(apb.GetRequest(digest=artifact),
                                         timeout=10)))
    not_found(lambda: dev_blobs.Stat(apb.StatRequest(digest=artifact),
                                     timeout=10))
    # Nor as an input of a run of its own.
    steal = pb.RunStepRequest(step="exec")
    steal.exec.argv.extend(["cat", "out.txt"])
    steal.exec.workdir.tar_digest = artifact
    not_found(lambda: list(dev.RunStep(steal, timeout=10)))
    # The live run was not cancelled by any of this; its owner sees both.
    mine = release.ListRuns(pb.ListRunsRequest(), timeout=10)
    assert {finished_id, live_id} <= {r.id for r in mine.runs}
    assert release.GetRun(pb.GetRunRequest(run_id=live_id)).state == \
        pb.RUNNING
    release.Cancel(pb.CancelRequest(run_id=live_id), timeout=10)
    assert b"".join(c.data for c in release_blobs.Get(
        apb.GetRequest(digest=artifact), timeout=10)) == b"release-output\n"


def test_noop_only_identity_may_not_upload(shared_agent, stubs, pki):
    _, blobs = stubs_for(stubs, pki, "as-local", shared_agent)
    data = b"x" * 1000
    apb = stubs.artifact_pb2
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    code, details = code_of(lambda: blobs.Put(iter([apb.PutRequest(
        digest=digest, size=len(data), data=data)]), timeout=10))
    assert code == grpc.StatusCode.PERMISSION_DENIED
    assert "may not upload" in details


def test_granted_rights_open_other_runs(make_agent, stubs, pki):
    config = tls_config(pki, "permissions:\n  release: ['*']\n"
                        "  dev: [noop, 'runs:read']\n")
    a = make_agent(config, listen=["127.0.0.1:0"]).start()
    pb = stubs.agent_pb2
    release, _ = stubs_for(stubs, pki, "release", a)
    req = pb.RunStepRequest(step="noop")
    req.noop.SetInParent()
    run_id = list(release.RunStep(req, timeout=30))[0].run_id
    dev, _ = stubs_for(stubs, pki, "dev", a)
    assert run_id in {r.id for r in dev.ListRuns(pb.ListRunsRequest()).runs}
    assert dev.GetRun(pb.GetRunRequest(run_id=run_id)).identity == \
        "x509:release"
    live_req = pb.RunStepRequest(step="exec")
    live_req.exec.argv.extend(["sleep", "60"])
    live = release.RunStep(live_req, timeout=120)
    live_id = next(iter(live)).run_id
    code, details = code_of(lambda: dev.Cancel(
        pb.CancelRequest(run_id=live_id), timeout=10))
    assert code == grpc.StatusCode.PERMISSION_DENIED
    assert "runs:cancel" in details
    release.Cancel(pb.CancelRequest(run_id=live_id), timeout=10)


def test_certificates_cannot_pass_for_local_identities(make_agent, stubs,
                                                       pki, tmp_path):
    config = tls_config(pki, "permissions:\n  local: ['*']\n"
                        "  'unix:root': ['*']\n  '*': [noop]\n")
    a = make_agent(config, listen=["127.0.0.1:0"]).start()
    for client, identity in (("as-local", "x509:local"),
                             ("as-unix-root", "x509:unix:root")):
        p = dsoctl("exec", "--no-workdir", "--", "true", agent=a,
                   cwd=tmp_path, extra_global=tls_args(pki, client))
        assert p.returncode == 2, (client, p.stderr)
        assert f"identity '{identity}' may not run step 'exec'" in p.stderr
        info = dsoctl("agent", "info", agent=a,
                      extra_global=tls_args(pki, client), check=0)
        assert f"you are:      {identity}" in info.stdout
        assert "you may:      step:noop\n" in info.stdout


def test_unix_peers_are_identified_by_their_credentials(agent, stubs):
    import pwd
    me = pwd.getpwuid(os.getuid()).pw_name
    p = dsoctl("agent", "info", agent=agent, check=0)
    assert f"you are:      unix:{me}" in p.stdout
    pb = stubs.agent_pb2
    stub = stubs.agent_pb2_grpc.AgentStub(grpc.insecure_channel(agent.address))
    req = pb.RunStepRequest(step="noop")
    req.noop.SetInParent()
    events = list(stub.RunStep(req, timeout=30))
    assert events[0].started.run.identity == f"unix:{me}"
    assert alive(stubs, agent)


@pytest.mark.skipif(os.geteuid() != 0,
                    reason="needs root to connect as a second Unix user")
def test_two_unix_users_on_one_socket(make_agent, tmp_path):
    """Unix peers are told apart by the kernel (SO_PEERCRED): nobody, on
    the same socket as root, is unix:nobody, sees none of root's runs and
    may only what its key grants."""
    import shutil
    import subprocess
    import tempfile
    sock_dir = Path(tempfile.mkdtemp(prefix="dso-two-users-"))
    sock_dir.chmod(0o755)  # pytest's own tmp dir is root's alone
    try:
        a = make_agent("socket_mode: '0666'\n"
                       "permissions:\n  unix:root: ['*']\n"
                       "  unix:nobody: [noop]\n",
                       listen=[f"unix://{sock_dir}/agent.sock"]).start()
        started = subprocess.Popen(
            [str(e2e.DSOCTL_BIN), "--agent", a.address, "exec",
             "--no-workdir", "--", "sleep", "30"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        mine = []
        for _ in range(100):
            mine = dsoctl("runs", "list", agent=a, check=0).stdout.split("\n")
            mine = [line.split()[0] for line in mine[1:] if "exec" in line]
            if mine:
                break
            time.sleep(0.05)
        assert mine, "root's run did not start"

        def as_nobody(*args):
            return subprocess.run(
                ["runuser", "-u", "nobody", "--", str(e2e.DSOCTL_BIN),
                 "--agent", a.address, *args],
                capture_output=True, text=True, cwd="/", timeout=60)
        info = as_nobody("agent", "info")
        assert info.returncode == 0, info.stderr
        assert "unix:nobody" in info.stdout
        assert "step:noop" in info.stdout and "step:exec" not in info.stdout
        listed = as_nobody("runs", "list")
        assert listed.returncode == 0 and mine[0] not in listed.stdout
        for args in (("runs", "show", mine[0]), ("runs", "cancel", mine[0])):
            p = as_nobody(*args)
            assert p.returncode != 0 and \
                f"no run '{mine[0]}' visible to identity 'unix:nobody'" \
                in p.stderr, \
                (args, p.stderr)
        p = as_nobody("exec", "--no-workdir", "--", "true")
        assert p.returncode != 0 and "unix:nobody" in p.stderr, p.stderr
        # root's run went on.
        assert "RUNNING" in dsoctl("runs", "show", mine[0], agent=a,
                                   check=0).stdout
        started.kill()
    finally:
        shutil.rmtree(sock_dir, ignore_errors=True)
