"""Compile and run generated GeNN projects in GeNN's CPU-only mode and compare them with the
Brian2 runtime (Cython). Needs GeNN 4.x (GENN_PATH); skipped otherwise. About 3 minutes:
four GeNN builds and three Cython compilations.

- Deterministic inhibitory network (global alpha pulses, delay): GeNN gives the runtime's spike
  trains exactly (same spikes, same n_A), both through ``simulate(target="genn")`` and through
  the two-step workflow (``generate`` + the commands of BUILD.md + ``load_result``), whose
  recorded membrane potentials also match the runtime's.
- EICIL network without noise: the same signed spikes, exactly.
- EICIL network driven by Poisson input (GeNN draws its own random numbers): mean rates agree
  within sampling error, neuron by neuron (paired), and so do n_A and the share of -1 spikes.
"""
import os
import subprocess

import numpy as np
import pytest
from brian2 import ms, second

from neurodyn import InhibitoryNetwork, simulate
from neurodyn.errors import SynchronyWarning
from neurodyn.genn import build_shell, generate, load_result
from neurodyn.models.eicil import EINetwork
from neurodyn.targets import genn_path

pytestmark = pytest.mark.skipif(genn_path() is None, reason="GENN_PATH (or brian2 prefs.devices.genn.path) is "
                                "unset: compiling a generated project needs GeNN 4.x")

DURATION = 1 * second
RECORDED = [0, 150]
DETERMINISTIC = InhibitoryNetwork(N=200, g=5, alpha=2, tau_d=1 * ms, I_sampling="even", seed=1)
SIGNED = EINetwork(N=60, K=6, rate_in_hz=0, x_mean_hz=30, x_std_hz=40, w=-0.2, cycle_period=20 * ms,
                   inh_duration=10 * ms, seed=2)
NOISY = EINetwork(N=200, K=10, w=-0.05, n_in=100, rate_in_hz=20, w_in=0.2, cycle_period=20 * ms,
                  inh_duration=10 * ms, seed=1)


def spike_keys(result, with_sign=False):
    """Sorted (neuron, time step[, sign]) keys: equal arrays mean identical spike trains."""
    steps = np.round(result.spike_t / result.dt).astype(np.int64)
    keys = result.spike_i.astype(np.int64) * 10**9 + steps
    return np.sort(keys * 2 + (result.spike_values["s"] > 0) if with_sign else keys)


@pytest.fixture(scope="module")
def runtime_deterministic():
    return simulate(DETERMINISTIC, DURATION, target="cython", record_v=RECORDED, progress=False)


def test_genn_target_reproduces_runtime_spikes(runtime_deterministic):
    genn = simulate(DETERMINISTIC, DURATION, target="genn", use_gpu=False, progress=False)
    assert genn.target == "genn" and len(runtime_deterministic.spike_t) > 1000
    np.testing.assert_array_equal(spike_keys(genn), spike_keys(runtime_deterministic))
    with pytest.warns(SynchronyWarning, match="chi_voltage is NaN"):  # 2 recorded traces, too few for chi
        n_active = [r.summary(t_start=0.2).n_active_frac.iloc[0] for r in (genn, runtime_deterministic)]
    assert n_active[0] == n_active[1]


def test_two_step_workflow_reproduces_runtime_spikes(runtime_deterministic, tmp_path):
    project = generate(DETERMINISTIC, DURATION, tmp_path / "project", use_gpu=False, record_v=RECORDED)
    subprocess.run(["bash", "-euc", build_shell(False, float(DURATION))], cwd=project, check=True,
                   env={**os.environ, "GENN_PATH": str(genn_path())}, capture_output=True)
    loaded = load_result(project)
    assert loaded.params == DETERMINISTIC.record and loaded.timings["run_s"] > 0
    np.testing.assert_array_equal(spike_keys(loaded), spike_keys(runtime_deterministic))
    expected = runtime_deterministic.voltage
    np.testing.assert_array_equal(loaded.voltage.neurons, RECORDED)
    np.testing.assert_allclose(loaded.voltage.t, expected.t, atol=1e-12)
    np.testing.assert_allclose(loaded.voltage.v, expected.v, atol=1e-9)


def test_eicil_signs_exact_without_noise():
    """EICIL without Poisson input is deterministic: GeNN's fixed order of operations gives the
    runtime's signed spikes exactly (the sign copy and reset ordering of neurodyn.models.eicil)."""
    genn = simulate(SIGNED, 300 * ms, target="genn", use_gpu=False, progress=False)
    runtime = simulate(SIGNED, 300 * ms, target="cython", progress=False)
    assert np.sum(runtime.spike_values["s"] < 0) > 5 and np.sum(runtime.spike_values["s"] > 0) > 50
    np.testing.assert_array_equal(spike_keys(genn, with_sign=True), spike_keys(runtime, with_sign=True))


def per_neuron_rates(result, sign=None):
    keep = np.ones(len(result.spike_i), bool) if sign is None else result.spike_values["s"] == sign
    return np.bincount(result.spike_i[keep], minlength=result.n_neurons) / result.t_stop


def test_noisy_network_statistics_agree():
    with pytest.warns(UserWarning, match="cannot seed Brian2's random numbers"):
        genn = simulate(NOISY, DURATION, target="genn", use_gpu=False, progress=False)
    runtime = simulate(NOISY, DURATION, target="cython", progress=False)
    for sign in (None, 1, -1):
        difference = per_neuron_rates(genn, sign) - per_neuron_rates(runtime, sign)
        standard_error = difference.std(ddof=1) / np.sqrt(len(difference))
        assert abs(difference.mean()) < 4 * standard_error + 1e-9, (sign, difference.mean(), standard_error)
    assert per_neuron_rates(runtime, -1).mean() > 1, "the comparison needs -1 spikes"
    n_active = [r.summary(t_start=0.2).n_active_frac.iloc[0] for r in (genn, runtime)]
    assert abs(n_active[0] - n_active[1]) <= 0.05


def test_study_projects_built_elsewhere_give_the_engine_rows(tmp_path):
    """Two points of the tiny test study as GeNN projects (neurodyn codegen STUDY), built with
    their build_all.sh, collected with `--from-genn`: the stored rows carry the same spike counts,
    n_A and rates as the same points run by the study engine on the NumPy runtime."""
    import sys

    from study_helpers import SCRIPTS, tiny_study_module

    from neurodyn.studies import PointStore, product
    from neurodyn.studies.genn_projects import generate_projects

    study = tiny_study_module().STUDY.replace(grid=product(g=[0.5, 8.0]), analyses=())
    projects = generate_projects(study, tmp_path / "projects", use_gpu=False, progress=False)
    subprocess.run(["bash", str(projects / "build_all.sh")], check=True, capture_output=True,
                   env={**os.environ, "GENN_PATH": str(genn_path())})
    script = tmp_path / "two_points.py"
    script.write_text("import sys\nfrom brian2 import ms, second\nfrom neurodyn.studies import product\n"
                      "from neurodyn.studies.cli import main\nimport tiny_study\n"
                      "STUDY = tiny_study.STUDY.replace(grid=product(g=[0.5, 8.0]), analyses=())\n"
                      "sys.exit(main(STUDY, STUDY))\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SCRIPTS), *sys.path])}
    subprocess.run([sys.executable, str(script), "--from-genn", str(projects), "--out", str(tmp_path / "genn"),
                    "--no-plot", "--no-progress"], check=True, capture_output=True, env=env)
    collected = PointStore(tmp_path / "genn").read().sort_values("g").reset_index(drop=True)
    engine = study.run(tmp_path / "numpy", workers=1, progress=False, print_table=False)
    engine = engine.sort_values("g").reset_index(drop=True)
    assert (collected["status"] == "ok").all() and (collected["target"] == "genn").all()
    for column in ("seed", "n_spikes", "n_active_frac", "mean_rate_hz"):
        np.testing.assert_array_equal(collected[column], engine[column], err_msg=column)
