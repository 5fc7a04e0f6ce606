"""dso-run: a Python program under the RASP layers tries what an attacker
would (start a shell, reach a port it has no business with, write outside
its directories) — refused and reported in block mode, reported and let
through in monitor mode; the kernel layers hold when the monitor is
bypassed with raw system calls."""
import json
import os
import subprocess
import textwrap

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
    # Last: once traced (monitor mode lets it), the process stops at signals.
    def raw_ptrace():  # ptrace(PTRACE_TRACEME)
        if libc.syscall(101, 0, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "ptrace")
    attempt("ptrace", raw_ptrace)
""")


def run(tmp_path, mode, extra_policy=""):
    app = tmp_path / "app"
    (app / "data").mkdir(parents=True, exist_ok=True)
    (app / "attacks.py").write_text(ATTACKS)
    outside = tmp_path / "outside"
    outside.mkdir(exist_ok=True)
    policy = app / "policy.yaml"
    policy.write_text(textwrap.dedent(f"""\
        mode: {mode}
        exec: [/usr/bin/python3]
        network:
          connect: ["127.0.0.1:47001"]
        files:
          writable: [data]
        """) + extra_policy)
    events = tmp_path / f"{mode}.jsonl"
    p = subprocess.run(
        [str(DSO_RUN), "--policy", str(policy), "--events", str(events),
         "--deployment", "attacks", "--", "/usr/bin/python3", "attacks.py",
         "47001", "47002", str(outside / "evil")],
        cwd=app, capture_output=True, text=True, timeout=60)
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
        tmp_path, "block", "syscalls:\n  allow: [memfd_create, execveat]\n")
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


def test_exit_status_and_signals_pass_through(tmp_path):
    policy = tmp_path / "p.yaml"
    policy.write_text("mode: block\n")
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
    policy.write_text("mode: block\nexec: [/usr/bin/python3]\n" + files)
    p = subprocess.run(
        [str(DSO_RUN), "--policy", str(policy), "--", "/usr/bin/python3",
         "-c", "import os; os.rename('a/f', 'b/f')"],
        cwd=tmp_path, capture_output=True, text=True, timeout=30)
    assert p.returncode == 0, p.stderr
    assert (tmp_path / "b" / "f").read_text() == "x"
