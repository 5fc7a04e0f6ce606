"""dsoctl exec through a real agent on a Unix socket: streaming, exit codes,
the --json summary, idempotent retries, cancellation, deadlines, attach."""
import os
import signal
import stat
import subprocess
import time

from conftest import (DSOCTL_BIN, dsoctl, journal_of, pid_alive, run_id_from,
                      start_exec, wait_for)


def test_exec_streams_output_and_writes_summary(agent, tmp_path):
    p = dsoctl("exec", "--", "sh", "-c", "echo out; echo err >&2",
               agent=agent, json_file=tmp_path / "s.json", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert p.stdout == "out\n"
    assert "err\n" in p.stderr
    s = p.summary
    assert s["schema"] == "dso.summary/v1"
    assert s["step"] == "exec" and s["outcome"] == "SUCCEEDED"
    assert s["exit_code"] == 0 and s["command_exit_code"] == 0
    assert s["agent"] == agent.address
    assert list(s["counts"]) == ["CRITICAL", "HIGH", "MEDIUM", "LOW", "INFO"]
    assert s["run_id"]


def test_socket_is_group_accessible_only(agent):
    mode = stat.S_IMODE(os.stat(agent.socket).st_mode)
    assert mode == 0o660


def test_exit_codes(agent, tmp_path):
    failed = dsoctl("exec", "--", "sh", "-c", "exit 4", agent=agent,
                    json_file=tmp_path / "f.json", cwd=tmp_path)
    assert failed.returncode == 1
    assert failed.summary["outcome"] == "POLICY_FAILED"
    assert failed.summary["command_exit_code"] == 4

    missing = dsoctl("exec", "--", "no-such-tool-xyz", agent=agent,
                     json_file=tmp_path / "m.json", cwd=tmp_path)
    assert missing.returncode == 2
    assert "no-such-tool-xyz" in missing.stderr
    assert missing.summary["outcome"] == "ERROR"

    usage = dsoctl("exec", agent=agent)
    assert usage.returncode == 2
    assert dsoctl("frobnicate").returncode == 2


def test_unreachable_agent_is_exit_3_with_a_hint(tmp_path):
    p = subprocess.run([str(DSOCTL_BIN), "--agent",
                        f"unix://{tmp_path}/none.sock", "exec", "--", "true"],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 3
    assert "unreachable" in p.stderr


def test_output_is_live_not_buffered_until_the_end(agent, tmp_path):
    proc = start_exec(agent, "echo first; sleep 3; echo second", tmp_path,
                      stderr=subprocess.DEVNULL)
    start = time.time()
    assert proc.stdout.readline() == "first\n"
    assert time.time() - start < 2.5, "first line waited for the command"
    assert proc.stdout.readline() == "second\n"
    assert proc.wait(timeout=30) == 0


def test_same_idempotency_key_runs_once(agent, tmp_path):
    counter = tmp_path / "count"
    args = ["exec", "--idempotency-key", "build-42", "--", "sh", "-c",
            f"echo ran >> {counter}; echo done"]
    first = dsoctl(*args, agent=agent, cwd=tmp_path, check=0)
    again = dsoctl(*args, agent=agent, cwd=tmp_path, check=0)
    assert run_id_from(first.stderr) == run_id_from(again.stderr)
    assert again.stdout == "done\n"  # the retry sees the whole output
    assert counter.read_text() == "ran\n"


def test_cancel_kills_the_process_group(agent, tmp_path):
    pidfile = tmp_path / "pid"
    proc = start_exec(agent, f"sleep 300 & echo $! > {pidfile}; wait",
                      tmp_path, "--kill-grace", "1")
    assert wait_for(lambda: pidfile.exists() and pidfile.read_text().strip())
    child = int(pidfile.read_text())
    assert pid_alive(child)
    runs = dsoctl("runs", "list", agent=agent, check=0).stdout
    run_id = [l.split()[0] for l in runs.splitlines() if "RUNNING" in l][0]
    dsoctl("runs", "cancel", run_id, "--reason", "test", agent=agent, check=0)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert wait_for(lambda: not pid_alive(child)), "child survived cancel"
    show = dsoctl("runs", "show", run_id, agent=agent, check=0).stdout
    assert "CANCELLED" in show


def test_ctrl_c_cancels_the_remote_run(agent, tmp_path):
    pidfile = tmp_path / "pid"
    proc = start_exec(agent, f"echo $$ > {pidfile}; exec sleep 300", tmp_path)
    assert wait_for(lambda: pidfile.exists() and pidfile.read_text().strip())
    child = int(pidfile.read_text())
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert "cancelling run" in err
    assert wait_for(lambda: not pid_alive(child))


def test_deadline_expiry_stops_the_run(agent, tmp_path):
    start = time.time()
    p = dsoctl("exec", "--deadline", "1", "--", "sleep", "60", agent=agent,
               json_file=tmp_path / "d.json", cwd=tmp_path)
    assert time.time() - start < 20
    assert p.returncode == 3
    assert "deadline exceeded" in p.summary["message"]


def test_attach_replays_from_a_sequence_number(agent, tmp_path):
    p = dsoctl("exec", "--", "sh", "-c", "echo a; sleep 0.2; echo b; sleep 0.2; echo c",
               agent=agent, cwd=tmp_path, check=0)
    run_id = run_id_from(p.stderr)
    full = dsoctl("runs", "attach", run_id, agent=agent, check=0)
    assert full.stdout == "a\nb\nc\n"
    # seq 1 is the start event, 2 the agent's exec line (the directory is
    # read in place: no unpacking), 3 "a" (the sleeps keep the lines in
    # separate events).
    tail = dsoctl("runs", "attach", run_id, "--from", "4", agent=agent,
                  check=0)
    assert tail.stdout == "b\nc\n"
    assert "started" not in tail.stderr
    missing = dsoctl("runs", "attach", "no-such-run", agent=agent)
    assert missing.returncode == 2


def test_attach_to_a_live_run_follows_it(agent, tmp_path):
    proc = start_exec(agent, "echo one; sleep 2; echo two", tmp_path)
    assert proc.stdout.readline() == "one\n"
    runs = dsoctl("runs", "list", agent=agent, check=0).stdout
    run_id = [l.split()[0] for l in runs.splitlines() if "RUNNING" in l][0]
    follower = dsoctl("runs", "attach", run_id, agent=agent, check=0)
    assert follower.stdout == "one\ntwo\n"
    assert proc.wait(timeout=30) == 0


def test_concurrency_limit_is_resource_exhausted(make_agent, tmp_path):
    a = make_agent("max_concurrent_runs: 1\n").start()
    busy = start_exec(a, "echo go; sleep 30", tmp_path,
                      stderr=subprocess.DEVNULL)
    assert busy.stdout.readline() == "go\n"
    p = dsoctl("exec", "--", "true", agent=a, json_file=tmp_path / "r.json",
               cwd=tmp_path)
    assert p.returncode == 3
    assert "1 of its 1 allowed runs" in p.stderr
    assert p.summary["error_code"] == "RESOURCE_EXHAUSTED"
    busy.send_signal(signal.SIGINT)
    assert busy.wait(timeout=30) == 130


def test_remote_inputs_go_as_tar_and_outputs_come_back(make_agent, tmp_path):
    # An agent that takes no handed-over directories gets a tar, as a
    # remote one does.
    agent = make_agent("input_handles: false\n").start()
    work = tmp_path / "work"
    (work / "src").mkdir(parents=True)
    (work / "src" / "app.py").write_text("print('hi')\n")
    p = dsoctl("exec", "--collect", "report.txt", "--", "sh", "-c",
               "find src -type f > report.txt; cat src/app.py",
               agent=agent, cwd=work, json_file=tmp_path / "s.json", check=0)
    assert "as a tar" in p.stderr  # the agent has no allowed roots
    assert p.stdout == "print('hi')\n"
    assert (work / "report.txt").read_text() == "src/app.py\n"
    art = p.summary["artifacts"][0]
    assert art["name"] == "report.txt"
    assert art["path"] == str(work / "report.txt")
    assert p.summary["reports"]["report.txt"] == str(work / "report.txt")


def test_local_inputs_under_allowed_roots_go_by_path(make_agent, tmp_path):
    a = make_agent(f"allowed_roots: [{tmp_path}]\n").start()
    p = dsoctl("exec", "--", "pwd", agent=a, cwd=tmp_path, check=0)
    assert p.stdout.strip() == str(tmp_path)
    assert "as a tar" not in p.stderr


def test_embedded_mode_needs_no_agent(tmp_path):
    env = {"XDG_DATA_HOME": str(tmp_path / "xdg")}
    p = dsoctl("exec", "--", "sh", "-c", "echo embedded", cwd=tmp_path,
               env=env, json_file=tmp_path / "e.json", check=0)
    assert p.stdout == "embedded\n"
    assert p.summary["agent"] == "embedded"
    runs = dsoctl("runs", "list", env=env, check=0).stdout
    assert p.summary["run_id"] in runs
    assert journal_of(tmp_path / "xdg" / "dso", p.summary["run_id"]).is_file()


def test_embedded_runs_are_visible_to_another_dsoctl(tmp_path):
    env = {"XDG_DATA_HOME": str(tmp_path / "xdg")}
    full_env = dict(os.environ, **env)
    full_env.pop("DSO_AGENT", None)
    proc = subprocess.Popen(
        [str(DSOCTL_BIN), "exec", "--", "sh", "-c",
         "echo first; sleep 2; echo last"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        cwd=tmp_path, env=full_env)
    assert proc.stdout.readline() == "first\n"
    listing = dsoctl("runs", "list", env=env, check=0).stdout
    running = [l.split()[0] for l in listing.splitlines() if "RUNNING" in l]
    assert len(running) == 1, listing
    # Another process follows the run to its end through the journal.
    follow = dsoctl("runs", "attach", running[0], env=env, check=0)
    assert follow.stdout == "first\nlast\n"
    assert proc.wait(timeout=30) == 0
    # Its end is visible too.
    assert "SUCCEEDED" in dsoctl("runs", "show", running[0], env=env,
                                 check=0).stdout
