"""The agent's journal across crashes and restarts."""
import signal
import time

from conftest import (dsoctl, journal_of, pid_alive, run_id_from, start_exec,
                      wait_for)


def test_kill_9_mid_run_then_restart_marks_interrupted(make_agent, tmp_path):
    a = make_agent().start()
    pidfile = tmp_path / "pid"
    proc = start_exec(
        a, f"echo before-crash; echo $$ > {pidfile}; exec sleep 300", tmp_path)
    assert proc.stdout.readline() == "before-crash\n"
    assert wait_for(lambda: pidfile.exists() and pidfile.read_text().strip())
    child = int(pidfile.read_text())
    a.stop(signal.SIGKILL)
    # The command dies with the agent.
    assert wait_for(lambda: not pid_alive(child)), "orphaned command"
    a.start()
    # dsoctl reconnects by itself and reports the interruption.
    out, err = proc.communicate(timeout=90)
    assert proc.returncode == 3, err
    assert "reconnecting" in err
    assert "INTERRUPTED" in err
    run_id = run_id_from(err)
    show = dsoctl("runs", "show", run_id, agent=a, check=0).stdout
    assert "INTERRUPTED" in show
    history = dsoctl("runs", "attach", run_id, agent=a)
    assert history.returncode == 3
    assert history.stdout == "before-crash\n"


def test_runs_survive_a_graceful_restart(make_agent, tmp_path):
    a = make_agent().start()
    p = dsoctl("exec", "--", "echo", "kept", agent=a, cwd=tmp_path, check=0)
    run_id = run_id_from(p.stderr)
    begin = time.time()
    assert a.stop() == 0
    assert time.time() - begin < 5, "an idle agent must stop promptly"
    a.start()
    again = dsoctl("runs", "attach", run_id, agent=a, check=0)
    assert again.stdout == "kept\n"
    assert run_id in dsoctl("runs", "list", agent=a, check=0).stdout


def test_sigterm_lets_a_running_step_finish(make_agent, tmp_path):
    a = make_agent("shutdown_grace: 20s\n").start()
    proc = start_exec(a, "echo start; sleep 1; echo end", tmp_path)
    assert proc.stdout.readline() == "start\n"
    a.proc.send_signal(signal.SIGTERM)
    time.sleep(0.2)
    # New runs are refused while it drains.
    refused = dsoctl("exec", "--", "true", agent=a, cwd=tmp_path)
    assert refused.returncode == 3
    assert "shutting down" in refused.stderr
    rest, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert rest == "end\n"
    assert a.proc.wait(timeout=30) == 0


def test_sigterm_grace_expiry_interrupts(make_agent, tmp_path):
    a = make_agent("shutdown_grace: 1s\nkill_grace: 1s\n").start()
    proc = start_exec(a, "echo start; exec sleep 300", tmp_path)
    assert proc.stdout.readline() == "start\n"
    a.proc.send_signal(signal.SIGTERM)
    assert a.proc.wait(timeout=30) == 0
    _, err = proc.communicate(timeout=90)
    assert "INTERRUPTED" in err or "unreachable" in err
    assert proc.returncode == 3


def test_corrupt_journal_entry_is_skipped_and_reported(make_agent, tmp_path):
    a = make_agent().start()
    p = dsoctl("exec", "--", "sh", "-c",
               "echo first; sleep 0.2; echo second; sleep 0.2; echo third",
               agent=a, cwd=tmp_path, check=0)
    run_id = run_id_from(p.stderr)
    a.stop()
    journal = journal_of(a.data_dir, run_id)
    data = bytearray(journal.read_bytes())
    pos = data.index(b"second\n")  # the log line, not the description
    data[pos:pos + 6] = b"SECOND"  # breaks that record's checksum
    journal.write_bytes(bytes(data))
    a.start()
    out = dsoctl("runs", "attach", run_id, agent=a, check=0)
    assert out.stdout == "first\nthird\n"
    assert any("damaged" in r.get("message", "") for r in a.log_records())
    # The agent keeps serving.
    dsoctl("exec", "--", "true", agent=a, cwd=tmp_path, check=0)
