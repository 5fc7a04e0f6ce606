"""The .deb packages: contents, dependencies, and binaries that run."""
import shutil
import subprocess

import pytest

from conftest import BUILD, ROOT


@pytest.fixture(scope="module")
def debs(tmp_path_factory):
    out = tmp_path_factory.mktemp("debs")
    subprocess.run(["cpack", "-G", "DEB", "-B", str(out)], cwd=BUILD,
                   check=True, capture_output=True)
    return {p.name.split("_")[0]: p for p in out.glob("*.deb")}


def contents(deb):
    out = subprocess.run(["dpkg-deb", "-c", str(deb)], check=True,
                         capture_output=True, text=True).stdout
    return {line.split()[-1].lstrip(".") for line in out.splitlines()}


def test_agent_package(debs, tmp_path):
    files = contents(debs["dso-agent"])
    assert {"/usr/bin/dso-agent", "/etc/dso/agent.yaml",
            "/usr/lib/systemd/system/dso-agent.service",
            "/usr/bin/dso-run", "/usr/lib/dso/libdso_rasp.so",
            "/usr/sbin/dso-idmap", "/usr/lib/systemd/system/dso-idmap.socket",
            "/usr/lib/systemd/system/dso-idmap.service"} <= files
    info = subprocess.run(["dpkg-deb", "-I", str(debs["dso-agent"])],
                          check=True, capture_output=True, text=True).stdout
    # Shared C libraries are dependencies; the C++ stack (gRPC, protobuf,
    # Abseil, RE2, Hyperscan) is linked in (cmake/static_deps.cmake).
    assert "libcurl4" in info and "libssl3" in info and "postinst" in info
    assert "libgrpc++" not in info and "libprotobuf" not in info
    assert "uidmap" in info  # dso-run maps applications' own users
    control = tmp_path / "control"
    subprocess.run(["dpkg-deb", "-e", str(debs["dso-agent"]), str(control)],
                   check=True)
    postinst = (control / "postinst").read_text()
    assert "--add-subuids 61184-65519" in postinst
    assert "enable --now dso-idmap.socket" in postinst
    subprocess.run(["dpkg-deb", "-x", str(debs["dso-agent"]), str(tmp_path)],
                   check=True)
    v = subprocess.run([str(tmp_path / "usr/bin/dso-agent"), "--version"],
                       capture_output=True, text=True, check=True)
    assert v.stdout.strip()
    # The id-mapping service starts only on a socket given to it.
    r = subprocess.run([str(tmp_path / "usr/sbin/dso-idmap")],
                       capture_output=True, text=True)
    assert r.returncode == 2 and "no socket" in r.stderr, r.stderr
    # dso-run finds its monitor library where the package puts it.
    policy = tmp_path / "policy.yaml"
    policy.write_text("mode: block\nallow_root: true\nexec: [/usr/bin/true]\n")
    r = subprocess.run([str(tmp_path / "usr/bin/dso-run"), "--policy",
                        str(policy), "--", "sh", "-c", "/bin/ls /"],
                       capture_output=True, text=True)
    assert r.returncode == 126, r.stderr  # the shell's "permission denied"
    assert "dso-rasp: blocked exec /usr/bin/ls" in r.stderr
    assert "monitor: " + str(tmp_path / "usr/lib/dso/libdso_rasp.so") \
        in r.stderr
    # The shipped config is valid: the agent starts with it (socket and data
    # dir moved into the test's directory by flags).
    config = tmp_path / "etc/dso/agent.yaml"
    agent = subprocess.Popen(
        [str(tmp_path / "usr/bin/dso-agent"), "--config", str(config),
         "--listen", f"unix://{tmp_path}/a.sock", "--data-dir",
         str(tmp_path / "data")], stderr=subprocess.PIPE, text=True)
    try:
        line = agent.stderr.readline()
        assert "listening on" in line, line
    finally:
        agent.terminate()
        assert agent.wait(timeout=30) == 0


@pytest.mark.parametrize("name", ["dso-agent.service", "dso-idmap.socket",
                                  "dso-idmap.service"])
def test_unit_files_are_valid(name):
    if not shutil.which("systemd-analyze"):
        pytest.skip("systemd-analyze is not installed")
    units = ROOT / "packaging"
    p = subprocess.run(["systemd-analyze", "verify", "--man=no",
                        str(units / name)], capture_output=True, text=True,
                       cwd=units)
    # Only complaints about the units themselves count (the binaries are
    # not installed on the test machine).
    problems = [l for l in p.stderr.splitlines()
                if ".service" in l or ".socket" in l
                if "is not executable" not in l]
    assert not problems, p.stderr


def test_client_package(debs, tmp_path):
    assert "/usr/bin/dsoctl" in contents(debs["dsoctl"])
    info = subprocess.run(["dpkg-deb", "-I", str(debs["dsoctl"])],
                          check=True, capture_output=True, text=True).stdout
    # Opened on first use (stages/core/lazy_library.h), so named by hand.
    assert all(p in info for p in ("libcurl4", "libgit2-1.5", "libarchive13",
                                   "libssl3"))
    subprocess.run(["dpkg-deb", "-x", str(debs["dsoctl"]), str(tmp_path)],
                   check=True)
    p = subprocess.run([str(tmp_path / "usr/bin/dsoctl"), "--help"],
                       capture_output=True, text=True)
    assert p.returncode == 0 and "exec" in p.stdout
