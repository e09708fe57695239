"""Studies that survive corrupted files, two drivers, Ctrl-C and crashing points.

Reference: the same study run once, uninterrupted, by one driver. Every test below must end
with that dataset, each point computed exactly once (counted by an analysis that logs).
"""
import collections
import importlib
import os
import shutil
import signal
import stat
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest
from kill_loop import kill_rounds
from study_helpers import SCRIPTS, comparable

from neurodyn.studies import PointStore, product
from neurodyn.studies.store import write_parquet_atomically

SCRIPT = SCRIPTS / "reliable_study.py"
N_POINTS = 8


def study_module():
    if str(SCRIPTS) not in sys.path:
        sys.path.insert(0, str(SCRIPTS))
    return importlib.import_module("reliable_study")


def computations(log) -> collections.Counter:
    """How often each point (g, seed) was computed, from the log written by the study's analysis."""
    return collections.Counter(log.read_text().splitlines()) if log.exists() else collections.Counter()


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    out = tmp_path_factory.mktemp("reference")
    frame = study_module().STUDY.run(out, workers=2, progress=False, print_table=False)
    assert len(frame) == N_POINTS and (frame["status"] == "ok").all()
    return out, frame


def start_driver(out, log, workers=1, **env):
    env = {**os.environ, "NEURODYN_TEST_LOG": str(log), **env}
    return subprocess.Popen([sys.executable, str(SCRIPT), "--out", str(out), "--workers", str(workers), "--no-plot",
                             "--no-progress"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def test_two_drivers_on_one_out_compute_every_point_once(reference, tmp_path):
    out, log = tmp_path / "shared", tmp_path / "log"
    drivers = [start_driver(out, log), start_driver(out, log)]
    results = [driver.communicate(timeout=600) for driver in drivers]
    assert [driver.returncode for driver in drivers] == [0, 0], [err for _, err in results]
    counts = computations(log)
    assert len(counts) == N_POINTS and set(counts.values()) == {1}, counts
    for name in ("reliable.parquet",):  # both drivers end with the whole dataset
        pd.testing.assert_frame_equal(comparable(pd.read_parquet(out / name)), comparable(reference[1]))
    pd.testing.assert_frame_equal(comparable(PointStore(out).read()), comparable(reference[1]))


def test_corrupt_point_files_are_set_aside_and_recomputed(reference, tmp_path, monkeypatch, capsys):
    out, log = tmp_path / "corrupt", tmp_path / "log"
    shutil.copytree(reference[0], out)
    points = sorted((out / "points").glob("*.parquet"))
    points[0].write_bytes(b"not parquet at all")
    points[1].write_bytes(points[1].read_bytes()[:50])  # truncated
    monkeypatch.setenv("NEURODYN_TEST_LOG", str(log))
    frame = study_module().STUDY.run(out, workers=1, progress=False, print_table=False)
    assert sum(computations(log).values()) == 2
    assert len(list((out / "corrupt").iterdir())) == 2
    assert capsys.readouterr().err.count("moved the unreadable point file aside") == 2
    pd.testing.assert_frame_equal(comparable(frame), comparable(reference[1]))


def test_ctrl_c_stores_what_finished_and_says_how_to_resume(reference, tmp_path):
    out, log = tmp_path / "interrupted", tmp_path / "log"
    driver = start_driver(out, log, NEURODYN_TEST_SLOW_G="2.0")  # the third point takes 30 s
    deadline = time.monotonic() + 300
    while len(list((out / "points").glob("*.parquet"))) < 2:
        assert driver.poll() is None and time.monotonic() < deadline, driver.stderr.read()
        time.sleep(0.05)
    driver.send_signal(signal.SIGINT)
    interrupted_at = time.monotonic()
    _, err = driver.communicate(timeout=60)
    assert time.monotonic() - interrupted_at < 15, "Ctrl-C must not wait for the point in flight"
    assert driver.returncode == 130, err
    assert "interrupted by SIGINT" in err and "run the same command again" in err and "Traceback" not in err
    stored = len(list((out / "points").glob("*.parquet")))
    assert 2 <= stored < N_POINTS
    assert sum(computations(log).values()) >= stored  # nothing that finished was thrown away unlogged
    resumed = start_driver(out, log)
    assert resumed.wait(timeout=600) == 0, resumed.stderr.read()
    counts = computations(log)
    assert len(counts) == N_POINTS
    pd.testing.assert_frame_equal(comparable(PointStore(out).read()), comparable(reference[1]))


def test_point_key_covers_analyses_and_kept_spikes():
    study = study_module().STUDY
    variants = [study, study.replace(analyses=study.analyses + (study_module().label_or_nan,)),
                study.replace(keep_spikes=True)]
    keys = [{task.key for task in variant.tasks()} for variant in variants]
    assert keys[0].isdisjoint(keys[1]) and keys[0].isdisjoint(keys[2]) and keys[1].isdisjoint(keys[2])
    # what is simulated (and names a GeNN project) does not depend on the analyses
    assert len({frozenset(task.simulation_key for task in variant.tasks()) for variant in variants}) == 1


def test_adding_an_analysis_or_keep_spikes_does_not_skip_points(reference, tmp_path):
    out = tmp_path / "extended"
    shutil.copytree(reference[0], out)
    module = study_module()
    small = module.STUDY.replace(grid=product(g=[0.5, 4.0]).repeat(2))
    frame = small.replace(analyses=small.analyses + (module.label_or_nan,), keep_spikes=True).run(
        out, workers=1, progress=False, print_table=False)
    assert len(frame) == 4 and "label" in frame.columns
    assert all(PointStore(out).spikes_path(key).exists() for key in frame["point_key"])


def test_a_study_reads_only_its_own_grid(reference, tmp_path, monkeypatch):
    out, log = tmp_path / "regrid", tmp_path / "log"
    shutil.copytree(reference[0], out)
    monkeypatch.setenv("NEURODYN_TEST_LOG", str(log))
    smaller = study_module().STUDY.replace(grid=product(g=[0.5, 2.0]).repeat(2))
    frame = smaller.run(out, workers=1, progress=False, print_table=False)
    assert sorted(frame["g"]) == [0.5, 0.5, 2.0, 2.0] and not log.exists()  # stored points, none recomputed
    assert len(smaller.read(out)) == 4 and len(PointStore(out).read()) == N_POINTS


def test_a_point_that_kills_its_worker_is_quarantined_and_others_finish(tmp_path, monkeypatch):
    out, log = tmp_path / "troubled", tmp_path / "log"
    monkeypatch.setenv("NEURODYN_TEST_LOG", str(log))
    troubled = study_module().TROUBLED
    frame = troubled.run(out, workers=2, progress=False, print_table=False)
    by_g = frame.set_index(["g", "seed"]).sort_index()
    assert (frame[frame["g"] < 8]["status"] == "ok").all()
    quarantined = frame[frame["g"] == 8]
    assert len(quarantined) == 1 and (quarantined["status"] == "quarantined").all()
    assert quarantined["error"].str.contains("died 2 times").all()
    assert "quarantined" in troubled.table(frame)
    # the column of mixed types (text for g = 4, NaN for g = 0.5) reads and writes
    assert set(by_g.loc[4.0, "label"]) == {"strong"} and by_g.loc[0.5, "label"].isna().all()
    write_parquet_atomically(frame, tmp_path / "table.parquet")
    assert len(pd.read_parquet(tmp_path / "table.parquet")) == len(frame)
    # a rerun does not try the quarantined points again
    before = sum(computations(log).values())
    troubled.run(out, workers=1, progress=False, print_table=False)
    assert sum(computations(log).values()) == before


def test_point_files_are_readable_by_others(reference, tmp_path):
    umask = os.umask(0o022)
    try:
        write_parquet_atomically(reference[1], tmp_path / "table.parquet")
    finally:
        os.umask(umask)
    assert stat.S_IMODE((tmp_path / "table.parquet").stat().st_mode) == 0o644
    for path in (reference[0] / "points").glob("*.parquet"):  # the umask the study ran under
        assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask


def test_a_point_write_killed_at_any_moment_leaves_one_whole_row(tmp_path):
    out = tmp_path / "store"
    setup = f"""
        import pandas as pd
        from neurodyn.studies.store import PointStore
        store = PointStore({str(out)!r})
        rows = [pd.DataFrame([{{"point_key": "k", "g": 1.0, "status": "ok", "n": 1}}]),
                pd.DataFrame([{{"point_key": "k", "g": 8.0, "status": "ok", "n": 2, "extra": "x" * 100000}}])]
        """
    seen = []
    for _ in kill_rounds(setup, 'store.write("k", rows[k % 2])', rounds=12, max_sleep_s=0.05, seed=1):
        row = PointStore(out).read()
        assert len(row) == 1 and not (out / "corrupt").exists()
        g = row.loc[0, "g"]
        assert row.loc[0, "n"] == (1 if g == 1.0 else 2)
        assert (g == 1.0) == ("extra" not in row.columns or pd.isna(row.loc[0, "extra"]))
        seen.append(g)
    assert set(seen) == {1.0, 8.0}, seen
    assert np.all([path.suffix == ".parquet" for path in (out / "points").iterdir() if not path.name.startswith(".")])


def test_study_out_that_is_a_file_is_refused_before_any_point(tmp_path, capsys):
    (tmp_path / "file").write_text("x")
    code = subprocess.run([sys.executable, str(SCRIPT), "--out", str(tmp_path / "file"), "--no-plot", "--no-progress"],
                          capture_output=True, text=True, timeout=300, env={**os.environ,
                                                                             "NEURODYN_TEST_LOG": str(tmp_path / "log")})
    assert code.returncode == 2 and "is a file, not a directory" in code.stderr and code.stderr.count("\n") == 1
    assert not (tmp_path / "log").exists()
