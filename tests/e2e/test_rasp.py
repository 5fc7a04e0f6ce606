"""dso-run: a Python program under the RASP layers tries what an attacker
would (start a shell, reach a port it has no business with, write outside
its directories) — refused and reported in block mode, reported and let
through in monitor mode; the kernel layers hold when the monitor is
bypassed with raw system calls."""
import json
import os
import subprocess
import textwrap
from pathlib import Path

import pytest

from conftest import BUILD

DSO_RUN = BUILD / "stages" / "rasp" / "dso-run"

ATTACKS = textwrap.dedent("""
    import ctypes, os, socket, subprocess, sys
    def attempt(name, fn):
        try:
            fn()
            print(name, "ok", flush=True)
        except Exception as e:
            print(name, "refused", type(e).__name__, flush=True)
    attempt("shell", lambda: subprocess.run(["/bin/sh", "-c", "true"], check=True))
    def shell_status():
        if os.system("true") != 0:
            raise OSError("os.system failed")
    attempt("system", shell_status)
    def conn(port):
        s = socket.socket()
        s.settimeout(2)
        try:
            s.connect(("127.0.0.1", port))
        except ConnectionRefusedError:
            pass  # reached the port: nothing listens there
        finally:
            s.close()
    attempt("connect-allowed", lambda: conn(int(sys.argv[1])))
    attempt("connect-other", lambda: conn(int(sys.argv[2])))
    attempt("write-outside", lambda: open(sys.argv[3], "w").write("x"))
    attempt("write-inside", lambda: open("data/ok", "w").write("x"))
    os.symlink(sys.argv[3] + ".via-link", "data/link")  # a dangling link
    attempt("write-via-link", lambda: open("data/link", "w").write("x"))
    libc = ctypes.CDLL(None, use_errno=True)
    def raw_open():  # openat(2) straight to the kernel: no monitor
        fd = libc.syscall(257, -100, (sys.argv[3] + ".raw").encode(),
                          os.O_CREAT | os.O_WRONLY, 0o644)
        if fd < 0:
            raise OSError(ctypes.get_errno(), "raw openat")
        os.close(fd)
    attempt("raw-write-outside", raw_open)
    # A program run from memory or by descriptor: each in a child.
    def in_child(fn):
        pid = os.fork()
        if pid == 0:
            try:
                fn()
            except OSError:
                os._exit(3)
            os._exit(0)  # not reached when exec works
        status = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
        if status == 3:
            raise PermissionError("refused in the child")
    attempt("memfd", lambda: os.close(os.memfd_create("payload")))
    def raw_memfd():  # memfd_create(2) straight to the kernel
        fd = libc.syscall(319, b"payload", 0)
        if fd < 0:
            raise OSError(ctypes.get_errno(), "raw memfd_create")
        os.close(fd)
    attempt("raw-memfd", raw_memfd)
    true_fd = os.open("/usr/bin/true", os.O_RDONLY)
    attempt("fexecve", lambda: in_child(
        lambda: os.execve(true_fd, ["true"], dict(os.environ))))
    def raw_execveat():  # execveat(fd, "", argv, envp, AT_EMPTY_PATH)
        argv = (ctypes.c_char_p * 2)(b"true", None)
        envp = (ctypes.c_char_p * 1)(None)
        libc.syscall(322, true_fd, b"", argv, envp, 0x1000)
        raise OSError(ctypes.get_errno(), "raw execveat")
    attempt("raw-execveat", lambda: in_child(raw_execveat))
    attempt("exec-proc-fd", lambda: in_child(
        lambda: os.execv(f"/proc/self/fd/{true_fd}", ["true"])))
    open("data/tool", "w").write("#!/bin/sh\\n")
    attempt("setuid", lambda: os.chmod("data/tool", 0o4755))
    attempt("setgid", lambda: os.chmod("data/tool", 0o2755))
    attempt("chmod-plain", lambda: os.chmod("data/tool", 0o755))
    def raw_setuid():  # fchmodat(2) straight to the kernel
        if libc.syscall(268, -100, b"data/tool", 0o4755) != 0:
            raise OSError(ctypes.get_errno(), "raw fchmodat")
    attempt("raw-setuid", raw_setuid)
    # Unix sockets: one the policy lists, one it does not, the agent's own
    # (a stream socket and its event socket), and the same by raw syscall.
    def unix(path, kind=socket.SOCK_STREAM):
        s = socket.socket(socket.AF_UNIX, kind)
        s.settimeout(1)
        try:
            if kind == socket.SOCK_DGRAM:
                s.sendto(b"{}", path)
            else:
                s.connect(path)
        except (TimeoutError, BlockingIOError):
            pass  # reached it: its queue is full
        finally:
            s.close()
    sockets = sys.argv[4]
    attempt("unix-listed", lambda: unix(sockets + "/listed/app.sock"))
    attempt("unix-other", lambda: unix(sockets + "/other.sock"))
    attempt("unix-agent", lambda: unix(sockets + "/agent/agent.sock"))
    attempt("unix-agent-events", lambda: unix(
        sockets + "/agent/rasp-events.sock", socket.SOCK_DGRAM))
    # Attribute changes outside the writable paths, and inside.
    target = sys.argv[3] + ".attrs"
    attempt("utime-outside", lambda: os.utime(target, (0, 0)))
    attempt("chmod-outside", lambda: os.chmod(target, 0o600))
    attempt("chown-outside", lambda: os.chown(target, os.getuid(), -1))
    attempt("setxattr-outside", lambda: os.setxattr(target, "user.dso", b"1"))
    attempt("utime-inside", lambda: os.utime("data/tool", (0, 0)))
    # Signals: to its own child, to dso-run (its parent) — signal 0, which
    # only probes —, and the same by raw syscall.
    import signal, time
    child = os.fork()
    if child == 0:
        time.sleep(30)
        os._exit(0)
    attempt("kill-own-child", lambda: os.kill(child, signal.SIGTERM))
    os.waitpid(child, 0)
    attempt("kill-parent", lambda: os.kill(os.getppid(), 0))
    def raw_kill_parent():  # kill(2) straight to the kernel
        if libc.syscall(62, os.getppid(), 0) != 0:
            raise OSError(ctypes.get_errno(), "raw kill")
    attempt("raw-kill-parent", raw_kill_parent)
    # Last: once traced (monitor mode lets it), the process stops at signals.
    def raw_ptrace():  # ptrace(PTRACE_TRACEME)
        if libc.syscall(101, 0, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "ptrace")
    attempt("ptrace", raw_ptrace)
""")


class Sockets:
    """Unix sockets for the program to try: one its policy lists, one it
    does not, and an agent's (a stream socket and the event socket beside
    it, as in the agent's data directory)."""

    def __init__(self, base):
        import socket
        self.dir = base / "sockets"
        for sub in ("listed", "agent"):
            (self.dir / sub).mkdir(parents=True, exist_ok=True)
        self.open = []
        for path, kind in [("listed/app.sock", socket.SOCK_STREAM),
                           ("other.sock", socket.SOCK_STREAM),
                           ("agent/agent.sock", socket.SOCK_STREAM),
                           ("agent/rasp-events.sock", socket.SOCK_DGRAM)]:
            s = socket.socket(socket.AF_UNIX, kind)
            s.bind(str(self.dir / path))
            if kind == socket.SOCK_STREAM:
                s.listen(8)
            self.open.append(s)

    def close(self):
        for s in self.open:
            s.close()


def run(tmp_path, mode, extra_policy="allow_root: true\n", user=None):
    app = tmp_path / "app"
    (app / "data").mkdir(parents=True, exist_ok=True)
    (app / "attacks.py").write_text(ATTACKS)
    outside = tmp_path / "outside"
    outside.mkdir(exist_ok=True)
    (outside / "evil.attrs").write_text("x")
    sockets = Sockets(tmp_path)
    policy = app / "policy.yaml"
    policy.write_text(textwrap.dedent(f"""\
        mode: {mode}
        exec: [/usr/bin/python3]
        network:
          connect: ["127.0.0.1:47001"]
          unix: [{sockets.dir / "listed"}]
        files:
          writable: [data]
        """) + extra_policy)
    events = tmp_path / f"{mode}.jsonl"
    try:
        p = subprocess.run(
            [str(DSO_RUN), "--policy", str(policy), "--events", str(events),
             "--deployment", "attacks", "--agent-socket",
             str(sockets.dir / "agent" / "rasp-events.sock"),
             *(["--user", user] if user else []), "--",
             "/usr/bin/python3", "attacks.py", "47001", "47002",
             str(outside / "evil"), str(sockets.dir)],
            cwd=app, capture_output=True, text=True, timeout=60)
    finally:
        sockets.close()
    results = dict(line.split(" ", 1) for line in p.stdout.splitlines())
    lines = [json.loads(line) for line in events.read_text().splitlines()]
    return p, results, lines, outside


def landlock_abi():
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    return libc.syscall(444, None, 0, 1)  # landlock_create_ruleset(VERSION)


def test_block_mode_refuses_and_reports(tmp_path):
    p, results, events, outside = run(tmp_path, "block")
    assert p.returncode == 0, p.stderr
    assert results["shell"].startswith("refused PermissionError")
    assert results["system"].startswith("refused")
    assert results["connect-allowed"] == "ok"
    assert results["connect-other"].startswith("refused PermissionError")
    assert results["write-outside"].startswith("refused PermissionError")
    assert results["write-inside"] == "ok"
    assert results["write-via-link"].startswith("refused PermissionError")
    assert not (outside / "evil.via-link").exists()
    assert results["ptrace"].startswith("refused")  # seccomp
    assert not (outside / "evil").exists()
    assert "dso-rasp: blocked exec /usr/bin/dash" in p.stderr
    kinds = [(e["kind"], e.get("what"), e.get("decision")) for e in events]
    assert kinds[0][0] == "start" and kinds[-1][0] == "exit"
    assert ("exec", "/usr/bin/dash", "blocked") in kinds
    assert ("connect", "127.0.0.1:47002", "blocked") in kinds
    assert ("open", str(outside / "evil"), "blocked") in kinds
    assert not any(e.get("what") == "127.0.0.1:47001" for e in events)
    shell = next(e for e in events if e["kind"] == "exec")
    assert shell["deployment"] == "attacks" and shell["mode"] == "block"
    assert shell["exe"].startswith("/usr/bin/python3")
    assert shell["detail"] == "/bin/sh -c true" and shell["pid"] > 0
    layers = " ".join(events[0]["layers"])
    assert "no_new_privs" in layers and "seccomp" in layers


def test_block_mode_refuses_programs_from_memory_and_setuid(tmp_path):
    p, results, events, outside = run(tmp_path, "block")
    assert p.returncode == 0, p.stderr
    for name in ("memfd", "fexecve", "exec-proc-fd", "setuid", "setgid"):
        assert results[name].startswith("refused"), (name, results[name])
    # The kernel's filter, without the monitor:
    for name in ("raw-memfd", "raw-execveat", "raw-setuid"):
        assert results[name].startswith("refused"), (name, results[name])
    assert results["chmod-plain"] == "ok"
    mode = os.stat(tmp_path / "app" / "data" / "tool").st_mode
    assert not mode & 0o6000
    reasons = [(e["kind"], e.get("reason", "")) for e in events
               if e.get("decision") == "blocked"]
    assert ("exec", "memory that could hold a program to run (memfd_create)") \
        in reasons
    assert ("exec", "a program run by descriptor (fexecve)") in reasons
    assert ("chmod", "sets the setuid or setgid bit") in reasons
    assert any(k == "exec" and "no file path holds" in r
               or k == "exec" and "exec list" in r for k, r in reasons)


def test_monitor_mode_reports_programs_from_memory_and_setuid(tmp_path):
    p, results, events, outside = run(tmp_path, "monitor")
    assert p.returncode == 0, p.stderr
    for name in ("memfd", "fexecve", "setuid", "setgid", "chmod-plain"):
        assert results[name] == "ok", (name, results[name])
    allowed = [(e["kind"], e.get("reason", "")) for e in events
               if e.get("decision") == "allowed"]
    assert ("exec", "memory that could hold a program to run (memfd_create)") \
        in allowed
    assert ("exec", "a program run by descriptor (fexecve)") in allowed
    assert ("chmod", "sets the setuid or setgid bit") in allowed


def test_a_policy_may_allow_memfd_and_execveat(tmp_path):
    p, results, events, outside = run(
        tmp_path, "block",
        "allow_root: true\nsyscalls:\n  allow: [memfd_create, execveat]\n")
    assert p.returncode == 0, p.stderr
    assert results["memfd"] == "ok" and results["raw-memfd"] == "ok"
    assert not any("memfd_create" in e.get("reason", "") for e in events)


@pytest.mark.skipif(landlock_abi() < 1, reason="the kernel has no Landlock")
def test_kernel_layers_hold_without_the_monitor(tmp_path):
    p, results, events, outside = run(tmp_path, "block")
    assert results["raw-write-outside"].startswith("refused PermissionError")
    assert not (outside / "evil.raw").exists()
    assert "landlock ABI" in " ".join(events[0]["layers"])


def test_monitor_mode_reports_and_lets_through(tmp_path):
    p, results, events, outside = run(tmp_path, "monitor")
    assert p.returncode == 0, p.stderr
    assert results["shell"] == "ok" and results["system"] == "ok"
    assert results["connect-other"] == "ok"
    assert results["write-outside"] == "ok"
    assert results["write-via-link"] == "ok"
    assert (outside / "evil").exists()
    kinds = [(e["kind"], e.get("what"), e.get("decision")) for e in events]
    assert ("exec", "/usr/bin/dash", "allowed") in kinds
    assert ("connect", "127.0.0.1:47002", "allowed") in kinds
    assert ("open", str(outside / "evil"), "allowed") in kinds
    assert ("open", "data/link", "allowed") in kinds
    assert "monitor: exec /usr/bin/dash would be blocked" in p.stderr


def blocked(events, kind, decision="blocked"):
    return [(e.get("what"), e.get("reason"), e.get("detail"))
            for e in events if e["kind"] == kind
            and e.get("decision") == decision]


def test_block_mode_refuses_unix_sockets_attributes_and_signals(tmp_path):
    p, results, events, outside = run(tmp_path, "block")
    assert p.returncode == 0, p.stderr
    assert results["unix-listed"] == "ok"
    for name in ("unix-other", "unix-agent", "unix-agent-events"):
        assert results[name].startswith("refused PermissionError"), name
    sockets = tmp_path / "sockets"
    unix = blocked(events, "connect")
    assert (str(sockets / "other.sock"), "not in the policy's network.unix "
            "list", "unix") in unix
    assert (str(sockets / "agent" / "agent.sock"), "the agent's own socket",
            "unix") in unix
    assert (str(sockets / "agent" / "rasp-events.sock"),
            "the agent's own socket", "unix") in unix
    for name in ("utime-outside", "chmod-outside", "chown-outside",
                 "setxattr-outside"):
        assert results[name].startswith("refused PermissionError"), name
    assert results["utime-inside"] == "ok"
    assert os.stat(outside / "evil.attrs").st_mtime > 0
    attrs = {(what, detail) for what, _, detail in blocked(events, "attr")}
    target = str(outside / "evil.attrs")
    assert {(target, "utimensat"), (target, "chmod"),
            (target, "chown"), (target, "setxattr")} <= attrs, attrs
    assert results["kill-own-child"] == "ok"
    assert results["kill-parent"].startswith("refused PermissionError")
    signals = blocked(events, "signal")
    assert any(reason == "a process that is not the program's own" and
               detail == "kill signal 0" for _, reason, detail in signals)


@pytest.mark.skipif(landlock_abi() < 6, reason="no Landlock ABI 6 (scopes)")
def test_kernel_refuses_signals_outside_without_the_monitor(tmp_path):
    p, results, events, outside = run(tmp_path, "block")
    assert results["raw-kill-parent"].startswith("refused PermissionError")
    assert "signals only to its own processes" in " ".join(events[0]["layers"])


def test_monitor_mode_reports_unix_sockets_attributes_and_signals(tmp_path):
    p, results, events, outside = run(tmp_path, "monitor")
    assert p.returncode == 0, p.stderr
    for name in ("unix-other", "unix-agent", "unix-agent-events",
                 "utime-outside", "chmod-outside", "kill-parent"):
        assert results[name] == "ok", (name, results[name])
    assert os.stat(outside / "evil.attrs").st_mtime == 0
    kinds = {(e["kind"], e.get("reason")) for e in events
             if e.get("decision") == "allowed"}
    assert ("connect", "the agent's own socket") in kinds
    assert ("connect", "not in the policy's network.unix list") in kinds
    assert ("attr", "changes a file's attributes outside the policy's "
            "writable paths") in kinds
    assert ("signal", "a process that is not the program's own") in kinds


@pytest.mark.parametrize("mode", ["block", "monitor"])
def test_root_needs_allow_root(tmp_path, mode):
    marker = tmp_path / "ran"
    policy = tmp_path / "p.yaml"
    policy.write_text(f"mode: {mode}\n")
    events = tmp_path / "events.jsonl"
    p = subprocess.run([str(DSO_RUN), "--policy", str(policy), "--events",
                        str(events), "--", "touch", str(marker)],
                       capture_output=True, text=True, timeout=30)
    user = [json.loads(line) for line in events.read_text().splitlines()
            if json.loads(line)["kind"] == "user"]
    assert len(user) == 1 and user[0]["what"] == "0:0"
    assert "allow_root: true" in user[0]["reason"]
    if mode == "block":
        assert p.returncode == 126, p.stderr
        assert user[0]["decision"] == "blocked"
        assert not marker.exists()
        assert "refused" in p.stderr
    else:
        assert p.returncode == 0, p.stderr
        assert user[0]["decision"] == "allowed" and marker.exists()


@pytest.fixture
def shared_tmp():
    """A directory another user can enter (pytest's are private)."""
    import shutil
    import tempfile
    d = Path(tempfile.mkdtemp(prefix="dso-rasp-", dir="/tmp"))
    d.chmod(0o755)
    yield d
    shutil.rmtree(d, ignore_errors=True)


def test_another_user_is_held_by_the_kernel(shared_tmp):
    # As an unprivileged user, raw system calls past the monitor still
    # cannot touch root's files, reach a root-only socket or signal dso-run.
    app = shared_tmp / "app"
    (app / "data").mkdir(parents=True)
    os.chown(app / "data", 65534, 65534)
    rootfile = shared_tmp / "root-owned"
    rootfile.write_text("x")
    private = shared_tmp / "private"
    private.mkdir(mode=0o700)
    import socket
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(str(private / "agent.sock"))
    s.listen(1)
    (app / "raw.py").write_text(textwrap.dedent("""
        import ctypes, os, socket, sys
        libc = ctypes.CDLL(None, use_errno=True)
        def attempt(name, rc):
            print(name, "ok" if rc == 0 else "refused", flush=True)
        attempt("raw-chmod", libc.syscall(268, -100, sys.argv[1].encode(),
                                          0o777, 0))
        attempt("raw-utime", libc.syscall(280, -100, sys.argv[1].encode(),
                                          None, 0))
        attempt("raw-kill", libc.syscall(62, os.getppid(), 0))
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        addr = sys.argv[2].encode()
        sa = (ctypes.c_char * 110)()
        sa[0:2] = b"\\x01\\x00"
        sa[2:2 + len(addr)] = addr
        attempt("raw-connect", libc.syscall(42, s.fileno(), sa, 110))
        print("uid", os.getuid(), flush=True)
    """))
    policy = app / "p.yaml"
    policy.write_text("mode: monitor\n")
    try:
        p = subprocess.run(
            [str(DSO_RUN), "--policy", str(policy), "--user", "65534", "--",
             "/usr/bin/python3", "raw.py", str(rootfile),
             str(private / "agent.sock")],
            cwd=app, capture_output=True, text=True, timeout=30)
    finally:
        s.close()
    results = dict(line.split(" ", 1) for line in p.stdout.splitlines())
    assert results.get("uid") == "65534", p.stdout + p.stderr
    for name in ("raw-chmod", "raw-utime", "raw-kill", "raw-connect"):
        assert results[name] == "refused", (name, results)
    assert rootfile.stat().st_mode & 0o777 == 0o644


def test_running_as_the_agents_own_user_is_reported(shared_tmp):
    # An agent that is not root cannot give the program another user:
    # dso-run (run here as 65534 with an agent socket, as such an agent
    # would) reports it, and the monitor still keeps the agent's socket.
    agent_dir = shared_tmp / "agent"
    agent_dir.mkdir()
    os.chown(agent_dir, 65534, 65534)
    os.chown(shared_tmp, 65534, 65534)
    policy = shared_tmp / "p.yaml"
    policy.write_text("mode: block\nexec: [/usr/bin/python3]\n")
    events = shared_tmp / "events.jsonl"
    probe = ("import socket\ns = socket.socket(socket.AF_UNIX)\n"
             f"try:\n  s.connect('{agent_dir}/agent.sock')\n"
             "except PermissionError:\n  print('refused')\n")
    p = subprocess.run(
        ["setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups",
         str(DSO_RUN), "--policy", str(policy), "--events", str(events),
         "--agent-socket", str(agent_dir / "rasp-events.sock"), "--",
         "/usr/bin/python3", "-c", probe],
        cwd=shared_tmp, capture_output=True, text=True, timeout=30)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "refused"
    lines = [json.loads(line) for line in events.read_text().splitlines()]
    user = [e for e in lines if e["kind"] == "user"]
    assert len(user) == 1 and user[0]["what"] == "65534:65534"
    assert "the agent's own user" in user[0]["reason"]
    assert "warning: the program runs as the agent's own user" in p.stderr


@pytest.fixture
def subordinate_ids():
    """Gives `nobody` the dedicated range as subordinate ids, as the
    package gives its `dso` user, for the test's length."""
    import shutil
    if not shutil.which("newuidmap"):
        pytest.skip("newuidmap is missing (scripts/setup.sh installs uidmap)")
    if subprocess.run(AS_NOBODY + ["unshare", "--user", "true"],
                      capture_output=True).returncode != 0:
        pytest.skip("this kernel refuses user namespaces to other users")
    saved = {}
    for f in ("/etc/subuid", "/etc/subgid"):
        path = Path(f)
        saved[path] = path.read_text() if path.exists() else None
        path.write_text((saved[path] or "") + "nobody:61184:4336\n")
    yield
    for path, text in saved.items():
        if text is None:
            path.unlink()
        else:
            path.write_text(text)


AS_NOBODY = ["setpriv", "--reuid", "65534", "--regid", "65534",
             "--clear-groups"]


def test_a_user_that_is_not_root_runs_the_program_as_another(
        shared_tmp, subordinate_ids):
    # dso-run as a non-root agent's user (65534) with a subordinate range:
    # the program runs as 61300 (a user namespace mapped by newuidmap),
    # writes its handed-over directory, and — by raw system calls, past
    # the monitor — can neither signal dso-run nor enter the agent's
    # directory nor touch the agent's files.
    os.chown(shared_tmp, 65534, 65534)
    agent_dir = shared_tmp / "agent"
    agent_dir.mkdir(mode=0o700)
    os.chown(agent_dir, 65534, 65534)
    shared = shared_tmp / "shared"
    shared.mkdir()
    os.chown(shared, 65534, 65534)
    policy = shared_tmp / "p.yaml"
    policy.write_text("mode: block\nexec: [/usr/bin/python3]\n")
    events = shared_tmp / "events.jsonl"
    probe = textwrap.dedent(f"""
        import ctypes, os
        libc = ctypes.CDLL(None, use_errno=True)
        print("ids", os.getuid(), os.getgid(), os.getgroups())
        open("{shared}/written", "w").write("x")
        print("raw-kill", libc.syscall(62, os.getppid(), 0))
        print("agent-dir", os.access("{agent_dir}", os.X_OK))
        print("policy", os.access("{policy}", os.W_OK))
    """)
    p = subprocess.run(
        [*AS_NOBODY, str(DSO_RUN), "--policy", str(policy), "--events",
         str(events), "--agent-socket", str(agent_dir / "rasp-events.sock"),
         "--user", "61300", "--hand-over", str(shared), "--",
         "/usr/bin/python3", "-c", probe],
        cwd=shared_tmp, capture_output=True, text=True, timeout=30)
    assert p.returncode == 0, p.stderr
    out = dict(line.split(" ", 1) for line in p.stdout.splitlines())
    assert out["ids"] == "61300 61300 []"
    assert (shared / "written").stat().st_uid == 61300
    assert out["raw-kill"] == "-1"
    assert out["agent-dir"] == "False" and out["policy"] == "False"
    lines = [json.loads(line) for line in events.read_text().splitlines()]
    assert not [e for e in lines if e["kind"] == "user"]


def test_another_user_without_subordinate_ids_is_refused(shared_tmp):
    os.chown(shared_tmp, 65534, 65534)
    policy = shared_tmp / "p.yaml"
    policy.write_text("mode: block\n")
    p = subprocess.run(
        [*AS_NOBODY, str(DSO_RUN), "--policy", str(policy), "--user",
         "61300", "--", "true"],
        cwd=shared_tmp, capture_output=True, text=True, timeout=30)
    assert p.returncode == 2
    assert "/etc/subuid" in p.stderr or "uidmap" in p.stderr, p.stderr
    # Under no_new_privs (a unit's NoNewPrivileges=yes) newuidmap's setuid
    # bit does not act: said so, nothing started.
    p = subprocess.run(
        [*AS_NOBODY, "--no-new-privs", str(DSO_RUN), "--policy",
         str(policy), "--user", "61300", "--", "true"],
        cwd=shared_tmp, capture_output=True, text=True, timeout=30)
    assert p.returncode == 2 and "no_new_privs" in p.stderr, p.stderr


DSO_IDMAP = BUILD / "stages" / "rasp" / "dso-idmap"


def test_under_no_new_privs_the_idmap_service_maps_the_user(
        shared_tmp, subordinate_ids):
    # The packaged agent runs with NoNewPrivileges=yes, where newuidmap
    # cannot act: dso-idmap (root, as its systemd unit runs it) maps the
    # program's user instead, by the same subordinate ranges. The program
    # runs as 61300, not as the agent's user, and cannot reach the
    # service's socket (root:nogroup 0660) itself. The service runs with
    # exactly the capabilities its unit keeps.
    unit = (Path(__file__).parents[2] / "packaging" /
            "dso-idmap.service").read_text()
    caps = next(line.split("=", 1)[1].split() for line in unit.splitlines()
                if line.startswith("CapabilityBoundingSet="))
    bounding = "-all," + ",".join("+" + c[4:].lower() for c in caps)
    os.chown(shared_tmp, 65534, 65534)
    sock = shared_tmp / "idmap.sock"
    # As its socket unit does: the socket made by the init (root:nogroup
    # 0660 here, root:dso in the package), passed as descriptor 3.
    import socket
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(sock))
    os.chown(sock, 0, 65534)
    os.chmod(sock, 0o660)
    listener.listen(4)
    fd = listener.fileno()
    service = subprocess.Popen(
        ["bash", "-c", f"exec 3<&{fd} {fd}<&-; export LISTEN_PID=$$ "
         f"LISTEN_FDS=1; exec setpriv --bounding-set {bounding} "
         f"--no-new-privs {DSO_IDMAP}"],
        pass_fds=[fd], stderr=subprocess.PIPE, text=True)
    listener.close()
    try:
        started = service.stderr.readline()
        assert "serving" in started, started
        assert oct(sock.stat().st_mode & 0o777) == "0o660"
        policy = shared_tmp / "p.yaml"
        policy.write_text("mode: block\nexec: [/usr/bin/python3]\n")
        probe = textwrap.dedent(f"""
            import os, socket
            print("ids", os.getuid(), os.getgid())
            s = socket.socket(socket.AF_UNIX)
            try:
                s.connect("{sock}")
                print("idmap", "reached")
            except OSError as e:
                print("idmap", e.errno)
        """)
        p = subprocess.run(
            [*AS_NOBODY, "--no-new-privs", str(DSO_RUN), "--policy",
             str(policy), "--idmap-socket", str(sock), "--user", "61300",
             "--", "/usr/bin/python3", "-c", probe],
            cwd=shared_tmp, capture_output=True, text=True, timeout=30)
        assert p.returncode == 0, p.stderr
        out = dict(line.split(" ", 1) for line in p.stdout.splitlines())
        assert out["ids"] == "61300 61300"
        assert out["idmap"] != "reached"
        # Ids outside the agent's range: refused before anything starts.
        p = subprocess.run(
            [*AS_NOBODY, "--no-new-privs", str(DSO_RUN), "--policy",
             str(policy), "--idmap-socket", str(sock), "--user", "70000",
             "--", "true"],
            cwd=shared_tmp, capture_output=True, text=True, timeout=30)
        assert p.returncode == 2 and "/etc/subuid" in p.stderr, p.stderr
    finally:
        service.terminate()
        log = service.communicate(timeout=10)[1]
    assert "uid 65534: mapped uid 61300 gid 61300" in log, log


def test_a_burst_of_events_is_not_dropped_while_dso_run_is_busy(tmp_path):
    """dso-run's event socket queues 10 datagrams (net.unix.max_dgram_qlen):
    the monitor waits for room instead of dropping the rest."""
    app = tmp_path / "app"
    (app / "data").mkdir(parents=True)
    target = tmp_path / "outside"
    target.write_text("x")
    (app / "burst.py").write_text(textwrap.dedent(f"""\
        import os, time
        time.sleep(0.5)
        for i in range(300):
            os.utime({str(target)!r}, (0, 0))
        """))
    policy = app / "policy.yaml"
    policy.write_text("mode: monitor\nallow_root: true\n"
                      "exec: [/usr/bin/python3]\nfiles:\n  writable: [data]\n")
    events = tmp_path / "events.jsonl"
    proc = subprocess.Popen(
        [str(DSO_RUN), "--policy", str(policy), "--events", str(events),
         "--", "/usr/bin/python3", "burst.py"],
        cwd=app, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    import signal
    import time
    time.sleep(0.3)
    proc.send_signal(signal.SIGSTOP)  # busy: nothing drains the socket
    time.sleep(0.8)
    proc.send_signal(signal.SIGCONT)
    assert proc.wait(timeout=60) == 0
    lines = [json.loads(line) for line in events.read_text().splitlines()]
    attrs = [e for e in lines if e["kind"] == "attr"]
    assert len(attrs) == 300, len(attrs)


def test_exit_status_and_signals_pass_through(tmp_path):
    policy = tmp_path / "p.yaml"
    policy.write_text("mode: block\nallow_root: true\n")
    p = subprocess.run([str(DSO_RUN), "--policy", str(policy), "--",
                        "sh", "-c", "exit 7"], capture_output=True, timeout=30)
    assert p.returncode == 7
    proc = subprocess.Popen([str(DSO_RUN), "--policy", str(policy), "--",
                             "sleep", "30"], stderr=subprocess.PIPE)
    import time
    time.sleep(0.5)
    proc.terminate()
    assert proc.wait(timeout=10) == 128 + 15


def test_bad_policy_is_refused_before_anything_runs(tmp_path):
    marker = tmp_path / "ran"
    policy = tmp_path / "p.yaml"
    for text, message in [
            ("mode: enforce\n", "mode must be block or monitor"),
            ("exec: [/no/such]\n", "exec names /no/such"),
            ("syscalls: {deny: [teleport]}\n", "unknown system call teleport"),
            ("network: {connect: [nowhere]}\n", "network.connect entry")]:
        policy.write_text(text)
        p = subprocess.run([str(DSO_RUN), "--policy", str(policy), "--",
                            "touch", str(marker)],
                           capture_output=True, text=True, timeout=30)
        assert p.returncode == 2, text
        assert str(policy) in p.stderr and message in p.stderr
        assert not marker.exists()


@pytest.mark.skipif(landlock_abi() < 2, reason="no Landlock ABI 2")
@pytest.mark.parametrize("files", ["", "files: {writable: [a, b]}\n"])
def test_renames_across_directories_still_work(tmp_path, files):
    # Landlock refuses moving files between directories unless a ruleset
    # grants it: the sandbox must grant it where writing is allowed.
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "f").write_text("x")
    policy = tmp_path / "p.yaml"
    policy.write_text("mode: block\nallow_root: true\nexec: [/usr/bin/python3]\n"
                      + files)
    p = subprocess.run(
        [str(DSO_RUN), "--policy", str(policy), "--", "/usr/bin/python3",
         "-c", "import os; os.rename('a/f', 'b/f')"],
        cwd=tmp_path, capture_output=True, text=True, timeout=30)
    assert p.returncode == 0, p.stderr
    assert (tmp_path / "b" / "f").read_text() == "x"
