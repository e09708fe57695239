"""A study driver killed with SIGTERM or SIGKILL loses only the points in flight; reruns finish it.

The final dataset has every point exactly once and equals an uninterrupted run (same values,
same seeds).
"""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
from study_helpers import TINY_SCRIPT, comparable, tiny_study_module

from neurodyn.studies import PointStore

N_POINTS = 12


def start_driver(out):
    """The tiny study's script with one worker, in its own process group (to find its workers)."""
    return subprocess.Popen([sys.executable, str(TINY_SCRIPT), "--out", str(out), "--workers", "1", "--no-plot",
                             "--no-progress"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True, text=True)


def stored(out) -> dict:
    return {path.name: path.stat().st_mtime_ns for path in (out / "points").glob("*.parquet")}


def wait_until_stored(out, n, driver, timeout=180):
    deadline = time.monotonic() + timeout
    while len(stored(out)) < n:
        assert driver.poll() is None, f"driver ended early: {driver.stderr.read()}"
        assert time.monotonic() < deadline, f"fewer than {n} points after {timeout} s"
        time.sleep(0.05)


def live_members(group: int) -> list[int]:
    """Pids of the live (not zombie) processes of process group ``group`` (Linux /proc)."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == group and fields[0] != "Z":
            members.append(int(stat.parent.name))
    return members


def kill(driver, signum):
    driver.send_signal(signum)
    driver.wait(timeout=60)
    if signum == signal.SIGKILL:  # the workers must end with their driver, not run on as orphans
        deadline = time.monotonic() + 30
        while live_members(driver.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        orphans = live_members(driver.pid)
        for pid in orphans:
            os.kill(pid, signal.SIGKILL)
        assert not orphans, f"worker processes {orphans} outlived the SIGKILLed driver"


def test_killed_driver_resumes_to_the_uninterrupted_dataset(tmp_path):
    reference = tiny_study_module().STUDY.run(tmp_path / "reference", workers=2, progress=False, print_table=False)
    out = tmp_path / "killed"
    kept = {}
    for signum in (signal.SIGTERM, signal.SIGKILL):
        driver = start_driver(out)
        wait_until_stored(out, len(kept) + 2, driver)
        kill(driver, signum)
        before, kept = kept, stored(out)
        assert len(before) < len(kept) < N_POINTS, "the driver must be killed while points remain"
        assert {name: kept[name] for name in before} == before  # finished points were not rewritten
    assert not list((out / "points").glob("*.partial"))
    rerun = subprocess.run([sys.executable, str(TINY_SCRIPT), "--out", str(out), "--workers", "2", "--no-plot",
                            "--no-progress"], capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    final = stored(out)
    assert len(final) == N_POINTS and {name: final[name] for name in kept} == kept
    frame = PointStore(out).read()
    assert frame["point_key"].is_unique and len(frame) == N_POINTS
    pd.testing.assert_frame_equal(comparable(frame), comparable(reference))
    table = pd.read_parquet(out / "tiny.parquet")
    pd.testing.assert_frame_equal(comparable(table), comparable(reference))
