"""A full disk under the agent's data dir: clear errors, nothing partial,
and the agent keeps serving. Needs root to mount a small tmpfs."""
import os
import subprocess

import pytest

from conftest import dsoctl


@pytest.fixture
def small_disk(tmp_path):
    mnt = tmp_path / "small"
    mnt.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs",
                        str(mnt)], capture_output=True)
    if r.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    yield mnt
    subprocess.run(["umount", "-l", str(mnt)], check=False)


def test_full_disk_gives_clear_errors(make_agent, small_disk, tmp_path):
    a = make_agent()
    a.data_dir = small_disk / "data"
    a.start()
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(6 << 20))
    put = dsoctl("store", "put", str(big), agent=a)
    assert put.returncode == 3, put.stderr
    assert "No space left" in put.stderr and "free space" in put.stderr
    assert list((a.data_dir / "store" / "tmp").iterdir()) == []
    assert list((a.data_dir / "store" / "blobs" / "sha256").iterdir()) == []

    run = dsoctl("exec", "--no-workdir", "--", "sh", "-c",
                 "head -c 8000000 /dev/zero | tr '\\0' x | fold -w 100",
                 agent=a, json_file=tmp_path / "s.json")
    assert run.returncode == 3, run.stderr[-500:]
    assert "journal could not be written" in run.summary["message"]
    assert run.summary["outcome"] == "ERROR"
    # Still serving once space is back.
    for f in (a.data_dir / "runs").glob("*.journal"):
        f.unlink()
    dsoctl("exec", "--no-workdir", "--", "true", agent=a, check=0)
