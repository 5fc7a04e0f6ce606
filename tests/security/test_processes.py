"""Item 5 of the trust boundary: the agent owns a run's processes. Those
that leave the command's process group (setsid, a double fork) die when the
run ends, and those a run cut by a crash of the agent left behind die
before the agent serves again."""
import os
import signal
import time

import grpc

from conftest import alive, dsoctl

# Starts a sleeper in a session of its own, out of the command's process
# group, and writes its pid.
ESCAPE = ("setsid sleep 300 </dev/null >/dev/null 2>&1 & "
          "echo $! > {pidfile}")


def running(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead; only its parent has not reaped it yet.
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()[0] != "Z"


def wait_gone(pid, seconds=10):
    deadline = time.monotonic() + seconds
    while running(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not running(pid)


def test_processes_that_leave_the_group_die_with_the_run(make_agent, stubs,
                                                         tmp_path):
    a = make_agent(f"allowed_roots: ['{tmp_path}']\n").start()
    pidfile = tmp_path / "escaped.pid"
    p = dsoctl("exec", "--", "sh", "-c", ESCAPE.format(pidfile=pidfile),
               agent=a, cwd=tmp_path, check=0)
    pid = int(pidfile.read_text())
    assert wait_gone(pid), "the escaped process outlived its run"
    assert "processes held by" in p.stderr, p.stderr
    assert alive(stubs, a)


def test_what_an_interrupted_run_left_dies_before_the_agent_serves(
        make_agent, stubs, tmp_path):
    a = make_agent(f"allowed_roots: ['{tmp_path}']\n").start()
    pidfile = tmp_path / "escaped.pid"
    script = ESCAPE.format(pidfile=pidfile) + "; sleep 300"
    req = stubs.agent_pb2.RunStepRequest(step="exec")
    req.exec.argv.extend(["sh", "-c", script])
    req.exec.workdir.local_path = str(tmp_path)
    stub = stubs.agent_pb2_grpc.AgentStub(grpc.insecure_channel(a.address))
    stream = stub.RunStep(req, timeout=60)
    run_id = next(stream).started.run.id
    deadline = time.monotonic() + 20
    while not pidfile.exists() or not pidfile.read_text().strip():
        assert time.monotonic() < deadline
        time.sleep(0.05)
    pid = int(pidfile.read_text())
    a.stop(signal.SIGKILL)
    time.sleep(0.5)
    # The kill -9 of the agent took the command (its parent-death signal),
    # not the process that left its group.
    assert running(pid)
    a.start()
    assert not running(pid), "the leftover was not killed at restart"
    stub = stubs.agent_pb2_grpc.AgentStub(grpc.insecure_channel(a.address))
    run = stub.GetRun(stubs.agent_pb2.GetRunRequest(run_id=run_id),
                      timeout=10)
    assert run.outcome == stubs.agent_pb2.INTERRUPTED
    # Both the escaped sleeper and the command's own child (the parent-death
    # signal reaches only the command) were left.
    assert (f"run {run_id} was interrupted by an agent restart; marked "
            "INTERRUPTED; killed 2 process(es) it left") in \
        a.log_path.read_text()
