"""A study over a two-population model resumes after its driver is killed, like any study:
the final dataset has every point once, with per-population rate columns, and equals an
uninterrupted run (same values, same seeds)."""
import importlib
import signal
import subprocess
import sys

import numpy as np
import pandas as pd
from study_helpers import SCRIPTS, comparable
from test_study_kill import kill, stored, wait_until_stored

from neurodyn.studies import PointStore

SCRIPT = SCRIPTS / "tiny_ei_study.py"
N_POINTS = 6


def driver(out, workers=1, **kwargs):
    command = [sys.executable, str(SCRIPT), "--out", str(out), "--workers", str(workers), "--no-plot",
               "--no-progress"]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
                            text=True, **kwargs)


def test_killed_two_population_study_resumes_to_the_uninterrupted_dataset(tmp_path):
    sys.path.insert(0, str(SCRIPTS))
    try:
        study = importlib.import_module("tiny_ei_study").STUDY
    finally:
        sys.path.remove(str(SCRIPTS))
    reference = study.run(tmp_path / "reference", workers=1, progress=False, print_table=False)
    assert {"exc_rate_hz", "inh_rate_hz"} <= set(reference.columns) and (reference["status"] == "ok").all()
    weak, strong = (reference[reference["wi_mV"] == wi]["exc_rate_hz"].mean() for wi in (-3.0, -15.0))
    assert weak > strong > 0, "stronger inhibition lowers the excitatory rate"
    out = tmp_path / "killed"
    running = driver(out)
    wait_until_stored(out, 2, running)
    kill(running, signal.SIGKILL)
    kept = stored(out)
    assert 2 <= len(kept) < N_POINTS, "the driver must be killed while points remain"
    rerun = driver(out, workers=2)
    assert rerun.wait(timeout=300) == 0, rerun.stderr.read()
    final = stored(out)
    assert len(final) == N_POINTS and {name: final[name] for name in kept} == kept
    frame = PointStore(out).read()
    pd.testing.assert_frame_equal(comparable(frame), comparable(reference))
    assert np.isfinite(frame["inh_rate_hz"]).all()
