"""Standalone studies compile one program per network structure (neurodyn.programs).

The reference is Brian2's own cpp_standalone device, one fresh build per point. Builds are
counted by ``program_built`` (study rows) and ``ProgramCache.builds`` (in process).
"""
import json
import os
import sys
import threading

import numpy as np
import pandas as pd
import pytest
from brian2 import get_device, ms
from study_helpers import SCRIPTS, comparable

from neurodyn import simulate
from neurodyn.errors import TargetError
from neurodyn.programs import ProgramCache, StaleProgramError, claim_worker_directory, worker_cache
from neurodyn.targets import target_device

PROGRAM_COLUMNS = ["program_key", "program_built"]


def standalone_study_module():
    if str(SCRIPTS) not in sys.path:
        sys.path.insert(0, str(SCRIPTS))
    import standalone_study

    return standalone_study


@pytest.fixture(scope="module")
def build_root(tmp_path_factory):
    """An empty NEURODYN_BUILD_DIR for this module (no program compiled before), also for the workers."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NEURODYN_BUILD_DIR", str(tmp_path_factory.mktemp("compile_once_builds")))
        yield


@pytest.fixture(scope="module")
def study_runs(tmp_path_factory, build_root):
    """The 6-point study compiled once (1 worker) and with a fresh build per point (2 workers)."""
    study = standalone_study_module().STUDY
    once_dir, fresh_dir = tmp_path_factory.mktemp("once"), tmp_path_factory.mktemp("fresh")
    once = study.run(once_dir, workers=1, progress=False, print_table=False)
    fresh = study.replace(compile_once=False).run(fresh_dir, workers=2, progress=False, print_table=False)
    return study, once_dir, once, fresh_dir, fresh


def test_six_point_study_compiles_once_with_the_rows_and_spikes_of_fresh_builds(study_runs):
    study, once_dir, once, fresh_dir, fresh = study_runs
    assert len(once) == 6 and (once["status"] == "ok").all(), once.get("error")
    assert once["program_built"].sum() == 1 and once["program_key"].nunique() == 1
    assert once["seed"].nunique() == 6 and once["n_spikes"].nunique() > 1
    assert not set(PROGRAM_COLUMNS) & set(fresh.columns)
    pd.testing.assert_frame_equal(comparable(once.drop(columns=PROGRAM_COLUMNS)), comparable(fresh))
    for key in once["point_key"]:
        pd.testing.assert_frame_equal(pd.read_parquet(once_dir / "spikes" / f"{key}.parquet"),
                                      pd.read_parquet(fresh_dir / "spikes" / f"{key}.parquet"))


def test_dask_workers_rerun_the_stored_program(study_runs, tmp_path, monkeypatch):
    """Two Dask worker processes, each in its own worker directory, rerun the program the local
    run compiled (no build) and give the same rows."""
    distributed = pytest.importorskip("dask.distributed")
    study, _, once, _, _ = study_runs
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(SCRIPTS), os.environ.get("PYTHONPATH", "")]))
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        frame = study.run(tmp_path, scheduler=cluster.scheduler_address, progress=False, print_table=False)
    assert frame["program_built"].sum() == 0 and set(frame["program_key"]) == set(once["program_key"])
    pd.testing.assert_frame_equal(comparable(frame.drop(columns="program_built")),
                                  comparable(once.drop(columns="program_built")))


def test_a_structural_change_rebuilds_instead_of_running_the_stale_program(study_runs):
    study, once_dir, once, _, _ = study_runs
    task = study.tasks()[0]
    cache = worker_cache()  # same program directory as the study's worker (NEURODYN_BUILD_DIR)
    builds = cache.builds
    same = simulate(task.model_class(**task.overrides), study.duration, target="cpp_standalone", programs=cache,
                    progress=False)
    assert not cache.last.built and cache.last.key == once["program_key"].iloc[0]
    stored = pd.read_parquet(once_dir / "spikes" / f"{task.key}.parquet")
    assert len(same.spike_i) == len(stored) and np.array_equal(same.spike_i, stored.iloc[:, 0].to_numpy())

    bigger = task.model_class(**{**task.overrides, "N": 26})
    rebuilt = simulate(bigger, study.duration, target="cpp_standalone", programs=cache, progress=False)
    assert cache.last.built and cache.builds == builds + 1 and cache.last.key != once["program_key"].iloc[0]
    fresh = simulate(bigger, study.duration, target="cpp_standalone", progress=False)
    assert rebuilt.spike_i.max() >= 20  # neurons the old 20-neuron program does not have
    np.testing.assert_array_equal(rebuilt.spike_i, fresh.spike_i)
    np.testing.assert_array_equal(rebuilt.spike_t, fresh.spike_t)


def generated_key(cache: ProgramCache, model, duration=100 * ms) -> str:
    """The structure key of ``model``'s project, generated into the cache's worker directory (no build)."""
    with target_device("cpp_standalone", model.dt, value_files=True):
        built = model.build()
        built.run(duration)
        key = cache.generate(get_device())
        del built
    return key


def test_values_go_through_files_and_code_constants_change_the_structure_key(tmp_path):
    noisy_lif = standalone_study_module().noisy_lif
    cache = ProgramCache(tmp_path, tmp_path / "worker")
    first = generated_key(cache, noisy_lif(N=20, I=1.2, sigma=0.1, seed=1))
    seed_file = (tmp_path / "worker/gen/static_arrays/_static_array_neurodyn_seed").read_bytes()
    main = (tmp_path / "worker/gen/main.cpp").read_text()
    assert "rk_seed(1L" not in main and "_static_array_neurodyn_seed[0]" in main
    assert generated_key(cache, noisy_lif(N=20, I=1.7, sigma=0.4, seed=2)) == first  # values: same program
    assert (tmp_path / "worker/gen/static_arrays/_static_array_neurodyn_seed").read_bytes() != seed_file
    drive = np.fromfile(tmp_path / "worker/gen/static_arrays/_static_array__array_neurons_drive")
    assert drive.tolist() == [1.7]
    assert generated_key(cache, noisy_lif(N=20, tau=12 * ms, seed=2)) != first  # namespace constant in the code
    assert generated_key(cache, noisy_lif(N=20, seed=2), duration=120 * ms) != first  # run duration in the code
    assert generated_key(cache, noisy_lif(N=21, seed=2)) != first  # array sizes


def test_a_program_built_for_other_value_files_is_refused_before_it_runs(tmp_path):
    noisy_lif = standalone_study_module().noisy_lif
    cache = ProgramCache(tmp_path, tmp_path / "worker")
    key = generated_key(cache, noisy_lif(N=20, seed=1))
    program = cache.program_dir(key)
    program.mkdir(parents=True)
    ran = tmp_path / "ran"
    (program / "main").write_text(f"#!/bin/sh\ntouch {ran}\n")
    (program / "main").chmod(0o755)
    (program / "structure.json").write_text(json.dumps({"key": key, "value_files": [["_static_array_x", "double", 3]]}))
    model = noisy_lif(N=20, seed=1)
    with pytest.raises(StaleProgramError, match="refusing to run"):
        simulate(model, 100 * ms, target="cpp_standalone", programs=cache, progress=False)
    assert not ran.exists() and cache.builds == 0


def test_programs_need_the_cpp_standalone_target(tmp_path):
    noisy_lif = standalone_study_module().noisy_lif
    with pytest.raises(TargetError, match="cpp_standalone"):
        simulate(noisy_lif(), 10 * ms, target="numpy", programs=ProgramCache(tmp_path, tmp_path / "w"))


def test_every_worker_thread_gets_its_own_directory(tmp_path):
    mine = claim_worker_directory(tmp_path)
    other = []
    thread = threading.Thread(target=lambda: other.append(claim_worker_directory(tmp_path)))
    thread.start()
    thread.join()
    assert claim_worker_directory(tmp_path) == mine and other[0] != mine
    assert {mine.name, other[0].name} == {"worker-0", "worker-1"}


def test_time_step_delay_and_coupling_rerun_from_files_as_fresh_builds(build_root):
    """dt, tau_m, the synaptic delay and g reach the program through value files (same structure
    key; so do the shared field's step weights, which depend on dt/tau_m): the rerun program then
    gives the spikes of a fresh build with those values."""
    from neurodyn import InhibitoryNetwork

    cache = worker_cache()
    builds = cache.builds
    simulate(InhibitoryNetwork(N=30, g=1, tau_d=1 * ms, seed=1), 60 * ms, target="cpp_standalone", programs=cache,
             progress=False)
    first_key = cache.last.key
    changed = InhibitoryNetwork(N=30, g=4, tau_d=2 * ms, dt=0.05 * ms, tau_m=15 * ms, seed=3)
    rerun = simulate(changed, 60 * ms, target="cpp_standalone", programs=cache, progress=False)
    assert cache.last.key == first_key and not cache.last.built and cache.builds == builds + 1
    fresh = simulate(changed, 60 * ms, target="cpp_standalone", progress=False)
    assert rerun.dt == fresh.dt == 5e-5 and len(fresh.spike_i) > 10
    np.testing.assert_array_equal(rerun.spike_i, fresh.spike_i)
    np.testing.assert_array_equal(rerun.spike_t, fresh.spike_t)
