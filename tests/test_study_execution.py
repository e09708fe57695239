"""Running studies: failing points, Dask cluster versus local processes, worker caches, CLI."""
import os
import subprocess
import sys

import pandas as pd
import pytest
from study_helpers import SCRIPTS, comparable, tiny_study_module

from neurodyn.cli import main as neurodyn_main
from neurodyn.studies import PointStore


@pytest.fixture(scope="module")
def local_run(tmp_path_factory):
    """The tiny study run once with the default executor (2 local processes)."""
    out = tmp_path_factory.mktemp("local")
    frame = tiny_study_module().STUDY.run(out, workers=2, progress=False, print_table=False)
    return out, frame


def test_local_run_stores_every_point_once_with_summary(local_run):
    out, frame = local_run
    assert len(frame) == 12 and frame["point_key"].is_unique
    assert (frame["status"] == "ok").all()
    assert len(list((out / "points").glob("*.parquet"))) == 12
    # the summary agrees with an independent count of the stored point's spikes
    assert (frame["n_spikes"] == frame["spikes_after_transient"]).all()
    assert frame["brian2_version"].eq("2.5.4").all()
    # mean rate falls with g for both heterogeneities (winner takes all)
    means = frame.groupby(["I_u", "g"])["mean_rate_hz"].mean().unstack()
    assert (means.diff(axis=1).iloc[:, 1:] < 0).all().all()


def test_rerun_skips_finished_points(local_run):
    out, frame = local_run
    before = {path: path.stat().st_mtime_ns for path in (out / "points").glob("*.parquet")}
    again = tiny_study_module().STUDY.run(out, workers=2, progress=False, print_table=False)
    assert {path: path.stat().st_mtime_ns for path in (out / "points").glob("*.parquet")} == before
    pd.testing.assert_frame_equal(comparable(again), comparable(frame))


def test_dask_local_cluster_gives_the_same_rows(local_run, tmp_path, monkeypatch):
    distributed = pytest.importorskip("dask.distributed")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(SCRIPTS), os.environ.get("PYTHONPATH", "")]))
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        frame = tiny_study_module().STUDY.run(tmp_path, scheduler=cluster.scheduler_address, progress=False,
                                              print_table=False)
    pd.testing.assert_frame_equal(comparable(frame), comparable(local_run[1]))


def test_failing_point_is_recorded_and_others_finish(local_run, tmp_path):
    frame = tiny_study_module().FAILING.run(tmp_path, workers=2, progress=False, print_table=False)
    failed = frame[frame["status"] == "error"]
    assert sorted(failed["g"]) == [8.0] * 4
    assert failed["error"].str.startswith("RuntimeError: deliberate failure at g=8.0").all()
    # same parameters and seeds, other keys (the key covers the analyses and keep_spikes)
    by_point = ["g", "I_u", "seed"]
    finished = comparable(frame[frame["status"] == "ok"]).drop(columns="point_key").sort_values(by_point)
    expected = comparable(local_run[1][local_run[1]["g"] < 5]).drop(columns="point_key").sort_values(by_point)
    assert not set(frame["point_key"]) & set(local_run[1]["point_key"])
    pd.testing.assert_frame_equal(finished[expected.columns].reset_index(drop=True), expected.reset_index(drop=True),
                                  check_dtype=False)
    # finished points kept their spikes, failed points have none
    store = PointStore(tmp_path)
    for _, row in frame.iterrows():
        if row["status"] == "ok":
            spikes = store.read_spikes(row["point_key"])
            assert (spikes["t_ms"] >= row["t_start_ms"]).sum() == row["n_spikes"]
        else:
            assert not store.spikes_path(row["point_key"]).exists()


def test_each_live_worker_process_claims_its_own_cython_cache(tmp_path):
    claim = ("import time; from neurodyn.studies.execute import claim_cython_cache;"
             "print(claim_cython_cache().name, flush=True); time.sleep(3)")
    env = {**os.environ, "NEURODYN_CYTHON_CACHE": str(tmp_path)}
    first, second = (subprocess.Popen([sys.executable, "-c", claim], env=env, stdout=subprocess.PIPE, text=True)
                     for _ in range(2))
    names = sorted(process.communicate(timeout=120)[0].strip() for process in (first, second))
    assert names == ["slot-0", "slot-1"]
    # once both exited, the next process reuses the first slot (and its compiled code)
    again = subprocess.run([sys.executable, "-c", claim.replace("time.sleep(3)", "")], env=env,
                           stdout=subprocess.PIPE, text=True, timeout=120)
    assert again.stdout.strip() == "slot-0"


def test_cli_study_subcommand_errors_in_one_line(capsys, tmp_path):
    assert neurodyn_main(["study", str(tmp_path / "missing.py")]) == 2
    assert capsys.readouterr().err.strip().endswith(f"no study script at {tmp_path / 'missing.py'}")
    script = tmp_path / "bad_study.py"
    script.write_text((SCRIPTS / "tiny_study.py").read_text().replace("I_u=[1.2, 1.5]", "I_uu=[1.2, 1.5]"))
    assert neurodyn_main(["study", str(script), "--out", str(tmp_path / "out"), "--no-progress"]) == 2
    message = capsys.readouterr().err.strip()
    assert message.count("\n") == 0 and "unknown parameter 'I_uu' (did you mean 'I_u'?)" in message


def test_study_rows_carry_the_mean_field_in_hz_beside_the_simulation():
    """A study point of the asynchronous global network (N = 400, alpha = 2, tau_d = 0.1 ms,
    even excitabilities, g = 1, tau_m = 20 ms) stores `theory_n_active_frac` and
    `theory_mean_rate_hz`: exactly `global_mean_field` on the point's own excitabilities with the
    point's tau_m, in Hz like the simulated `mean_rate_hz`, which lies within 1 % of it (the
    tolerance derived in test_inhibitory_network's mean-field test: grid lag, counting noise and
    finite-N field fluctuations), n_A within 0.03 above. The printed table puts each theory column
    right after its simulated one, so "within x Hz of the mean field" needs no user code."""
    from brian2 import ms, second

    from neurodyn import InhibitoryNetwork
    from neurodyn.studies import Study, product
    from neurodyn.studies.execute import run_point
    from neurodyn.theory import global_mean_field

    fixed = dict(N=400, alpha=2, tau_d=0.1 * ms, I_sampling="even", tau_m=20 * ms)
    study = Study("theory", InhibitoryNetwork, product(g=[1.0]), duration=3 * second, t_start=1 * second,
                  fixed=fixed, target="numpy")
    (task,) = study.tasks()
    row = run_point(task).row.iloc[0]
    assert row["status"] == "ok", row["error"]
    expected = global_mean_field(1.0, excitabilities=InhibitoryNetwork(**fixed, g=1.0, seed=row["seed"]).excitabilities(),
                                 tau_m=0.020)
    assert row["theory_mean_rate_hz"] == expected.mean_rate_hz
    assert row["theory_n_active_frac"] == expected.n_active_frac
    assert expected.mean_rate_hz == pytest.approx(expected.rate_per_tau_m / 0.020)
    assert row["mean_rate_hz"] == pytest.approx(row["theory_mean_rate_hz"], rel=0.01)
    assert 0 <= row["n_active_frac"] - row["theory_n_active_frac"] < 0.03
    header = study.table(pd.DataFrame([row])).splitlines()[0].split()
    assert header == ["g", "n_active_frac", "theory_n_active_frac", "mean_rate_hz", "theory_mean_rate_hz",
                      "chi_spikes", "status"]
