"""Item 2 of the trust boundary: inputs are confined by resolution, not by
spelling. A chain of relative links that each stay inside, a link to /etc
under an allowed root, a hard link through such a chain: none leads a step
to a file outside its input. Uploads lose setuid bits; blobs and journals
are the agent's alone."""
import hashlib
import io
import os
import stat
import tarfile

import grpc

from conftest import alive, dsoctl

DEPTH = 40  # deeper than any path the agent unpacks into


def make_chain(ctx):
    """ctx/x resolves to / through links that each stay inside ctx by
    their spelling: d/.../d/up -> ../..(DEPTH) and x -> d/.../d/up/../..."""
    deep = ctx.joinpath(*["d"] * DEPTH)
    deep.mkdir(parents=True)
    os.symlink("/".join([".."] * DEPTH), deep / "up")
    os.symlink("/".join(["d"] * DEPTH + ["up"] + [".."] * DEPTH), ctx / "x")


def test_link_chain_in_an_uploaded_context_is_refused(make_agent, tmp_path):
    # Uploaded as a tar (an agent that takes no handed-over directories; a
    # handed-over one is read in place, as under allowed roots below).
    agent = make_agent("input_handles: false\n").start()
    ctx = tmp_path / "ctx"
    ctx.mkdir()
    (ctx / "app.txt").write_text("app\n")
    make_chain(ctx)
    assert (ctx / "x" / "etc" / "hostname").exists()  # it does lead out
    p = dsoctl("build", "--context", str(ctx), "--out", str(tmp_path / "img"),
               "--file", "x/etc/hostname:/leak", agent=agent, cwd=tmp_path)
    assert p.returncode == 2, (p.stdout, p.stderr)
    assert "resolves outside the archive" in p.stderr
    assert not (tmp_path / "img").exists()


def test_links_under_allowed_roots_do_not_lead_out(make_agent, stubs,
                                                   tmp_path):
    a = make_agent(f"allowed_roots: ['{tmp_path}']\n").start()
    ctx = tmp_path / "ctx"
    ctx.mkdir()
    (ctx / "app.txt").write_text("app\n")
    os.symlink("/etc", ctx / "etc")
    make_chain(ctx)
    for source in ("etc/hostname", "x/etc/hostname", "../../../etc/hostname"):
        p = dsoctl("build", "--context", str(ctx), "--out",
                   str(tmp_path / "img"), "--file", f"{source}:/leak",
                   agent=a, cwd=tmp_path)
        assert p.returncode == 2, (source, p.stdout, p.stderr)
        assert ("leads outside" in p.stderr or "'..'" in p.stderr), p.stderr
    assert alive(stubs, a)


def put_blob(stubs, agent, data):
    stub = stubs.artifact_pb2_grpc.ArtifactsStub(
        grpc.insecure_channel(agent.address))
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    pb = stubs.artifact_pb2

    def chunks():
        yield pb.PutRequest(digest=digest, size=len(data), data=data[:1 << 20])
        for i in range(1 << 20, len(data), 1 << 20):
            yield pb.PutRequest(data=data[i:i + (1 << 20)])
    return stub.Put(chunks(), timeout=60).digest


def tar_of(members):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for info, data in members:
            t.addfile(info, io.BytesIO(data) if data is not None else None)
    return buf.getvalue()


def exec_in(stubs, agent, digest, argv):
    pb = stubs.agent_pb2
    req = pb.RunStepRequest(step="exec")
    req.exec.argv.extend(argv)
    req.exec.workdir.tar_digest = digest
    stub = stubs.agent_pb2_grpc.AgentStub(grpc.insecure_channel(agent.address))
    events = list(stub.RunStep(req, timeout=60))
    out = "".join(e.log.text for e in events if e.WhichOneof("kind") == "log"
                  and e.log.stream == pb.LogLine.STDOUT)
    return events[-1].result, out


def test_setuid_setgid_and_sticky_bits_do_not_survive_an_upload(
        agent, stubs):
    members = []
    for name, mode in (("suid", 0o4755), ("sgid", 0o2755), ("sticky", 0o1777)):
        info = tarfile.TarInfo(name)
        info.mode = mode
        info.size = 3
        info.uid = info.gid = 0
        members.append((info, b"hi\n"))
    digest = put_blob(stubs, agent, tar_of(members))
    result, out = exec_in(stubs, agent, digest,
                          ["stat", "-c", "%n %a", "suid", "sgid", "sticky"])
    assert result.outcome == stubs.agent_pb2.SUCCEEDED, result.message
    assert out.split("\n")[:3] == ["suid 755", "sgid 755", "sticky 777"]


def test_a_hard_link_through_a_link_chain_is_refused(agent, stubs):
    members = []
    path = ""
    for _ in range(DEPTH):
        path = f"{path}d/" if path else "d/"
        info = tarfile.TarInfo(path.rstrip("/"))
        info.type = tarfile.DIRTYPE
        info.mode = 0o755
        members.append((info, None))
    up = tarfile.TarInfo(path + "up")
    up.type = tarfile.SYMTYPE
    up.linkname = "/".join([".."] * DEPTH)
    members.append((up, None))
    hard = tarfile.TarInfo("shadow")
    hard.type = tarfile.LNKTYPE
    hard.linkname = path + "up/" + "/".join([".."] * DEPTH) + "/etc/hostname"
    members.append((hard, None))
    digest = put_blob(stubs, agent, tar_of(members))
    result, _ = exec_in(stubs, agent, digest, ["cat", "shadow"])
    assert result.outcome == stubs.agent_pb2.ERROR
    assert "refusing archive" in result.message, result.message
    assert alive(stubs, agent)


def test_blobs_and_journals_are_readable_by_the_agent_only(agent, stubs,
                                                           tmp_path):
    (tmp_path / "f.txt").write_text("data\n")
    dsoctl("exec", "--collect", "f.txt", "--", "true", agent=agent,
           cwd=tmp_path, check=0)
    blobs = list((agent.data_dir / "store" / "blobs" / "sha256").iterdir())
    journals = list((agent.data_dir / "runs").glob("*.journal"))
    assert blobs and journals
    for f in blobs + journals:
        assert stat.S_IMODE(f.stat().st_mode) == 0o600, f
