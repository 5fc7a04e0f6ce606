"""Item 7 of the trust boundary: the agent's own files and side doors — a
private data dir, no temp files left by a killed import, a RASP event
socket only the agent's user and group may write to, rate limited and with
labels the sender cannot choose, and a metrics endpoint one slow client
cannot hold."""
import os
import socket
import stat
import time
import urllib.request

import grpc

from conftest import alive, dsoctl


def metrics_agent(make_agent):
    return make_agent("metrics_listen: 127.0.0.1:0\n").start()


def get_metrics(agent, timeout=5):
    url = f"http://127.0.0.1:{agent.metrics_port}/metrics"
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.read().decode()


def dead_pid():
    for pid in range(4194000, 1, -1):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return pid
        except PermissionError:
            pass


def test_data_dir_is_private(agent):
    assert stat.S_IMODE(os.stat(agent.data_dir).st_mode) == 0o700


def test_a_killed_imports_temp_file_is_removed(agent, stubs):
    osv = agent.data_dir / "osv"
    osv.mkdir(exist_ok=True)
    dead = osv / f".osv.db.tmp.{dead_pid()}"
    dead.write_bytes(b"\0" * 1024)
    live = osv / f".osv.db.tmp.{os.getpid()}"  # a live writer's
    live.write_bytes(b"\0" * 1024)
    ch = grpc.insecure_channel(agent.address)
    stub = stubs.agent_pb2_grpc.AgentStub(ch)
    req = stubs.agent_pb2.RunStepRequest(step="db")
    req.db.SetInParent()
    result = list(stub.RunStep(req, timeout=60))[-1].result
    assert result.outcome == stubs.agent_pb2.SUCCEEDED, result.message
    assert not dead.exists()
    assert live.exists()


def test_rasp_event_socket_is_not_world_writable_and_is_rate_limited(
        make_agent, stubs):
    a = metrics_agent(make_agent)
    path = a.data_dir / "rasp-events.sock"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o660
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sent = 0
    for i in range(5000):
        event = ('{"kind":"forged-%d","decision":"d%d","deployment":"x"}'
                 % (i, i)).encode()
        try:
            s.sendto(event, str(path))
            sent += 1
        except BlockingIOError:
            time.sleep(0.01)
    s.close()
    deadline = time.monotonic() + 20
    while True:
        text = get_metrics(a)
        dropped = [line for line in text.splitlines()
                   if line.startswith("dso_rasp_events_dropped_total ")]
        other = [line for line in text.splitlines()
                 if line.startswith("dso_rasp_events_total{")]
        counted = sum(int(line.rsplit(" ", 1)[1]) for line in other)
        drops = int(dropped[0].rsplit(" ", 1)[1]) if dropped else 0
        if counted + drops >= sent * 0.9 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert drops > 0, text
    # Labels are the launchers' own: the forged kinds are all "other".
    assert other == ['dso_rasp_events_total{kind="other",decision="other"} '
                     f'{counted}'], other
    assert len(text) < 10_000
    assert alive(stubs, a)


def test_a_slow_metrics_client_does_not_hold_the_endpoint(make_agent):
    a = metrics_agent(make_agent)
    slow = []
    for _ in range(2):
        c = socket.create_connection(("127.0.0.1", a.metrics_port))
        c.sendall(b"G")
        slow.append(c)
    # Others are served while those trickle.
    assert "dso_active_runs" in get_metrics(a, timeout=5)
    for c in slow:
        c.sendall(b"E")
    # The slow ones are cut off after their 2 s.
    for c in slow:
        c.settimeout(10)
        assert c.recv(100).startswith(b"HTTP/1.1 408 "), "not timed out"
        c.close()


def test_unused_blobs_are_collected(make_agent, stubs, tmp_path):
    a = make_agent("retention: {max_age: 1h}\n").start()
    digests = []
    for name in ("old", "new"):
        f = tmp_path / name
        f.write_text(f"{name} artifact\n")
        p = dsoctl("store", "put", str(f), agent=a, check=0)
        digests.append(p.stdout.split()[0])
    blobs = a.data_dir / "store" / "blobs" / "sha256"
    old = blobs / digests[0][7:]
    assert old.exists()
    two_hours_ago = time.time() - 7200
    os.utime(old, (two_hours_ago, two_hours_ago))
    a.stop()
    a.start()  # collects at start, then every 10 minutes
    assert not old.exists()
    assert not (a.data_dir / "store" / "owners" / digests[0][7:]).exists()
    assert (blobs / digests[1][7:]).exists()
    assert "removed 1 unused blobs" in a.log_path.read_text()
