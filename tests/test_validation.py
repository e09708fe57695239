"""Every bad value is a named ParameterError (or ResourceError) before any Brian2 object exists,
the time step is restored after any run, and Brian2's pyparsing warnings do not reach users.

Reference for "the next run is unaffected": the same model simulated in a fresh Python process.
"""
import json
import subprocess
import sys
import warnings

import numpy as np
import pytest
from brian2 import Hz, Network, NeuronGroup, ms, mV, second
from brian2.core.base import BrianObject

from neurodyn import InhibitoryNetwork, ParameterError, simulate
from neurodyn.errors import NeurodynError, ResourceError, TimeStepWarning
from neurodyn.models.eicil import EINetwork
from neurodyn.parameters import check_transient
from neurodyn.targets import target_device


@pytest.fixture
def brian_objects(monkeypatch):
    """Counts Brian2 objects created (NeuronGroup, Synapses, monitors, ...) while the test runs."""
    created = []
    original = BrianObject.__init__

    def counting(self, *args, **kwargs):
        created.append(type(self).__name__)
        original(self, *args, **kwargs)

    monkeypatch.setattr(BrianObject, "__init__", counting)
    return created


INF, NAN = float("inf"), float("nan")


@pytest.mark.parametrize("model, overrides, message", [
    (InhibitoryNetwork, {"g": "1e999"}, "g must be finite"),
    (InhibitoryNetwork, {"g": INF}, "g must be finite"),
    (InhibitoryNetwork, {"I_u": INF}, "I_u must be finite"),
    (InhibitoryNetwork, {"I_l": -INF}, "I_l must be finite"),
    (InhibitoryNetwork, {"tau_m": INF * ms}, "tau_m must be finite"),
    (InhibitoryNetwork, {"tau_d": "1e999ms"}, "tau_d must be finite"),
    (EINetwork, {"w": INF}, "w must be finite"),
    (InhibitoryNetwork, {"N": "1e999"}, "N must be finite"),
    (InhibitoryNetwork, {"alpha": "1e999"}, "alpha must be finite"),
    (InhibitoryNetwork, {"dt": -0.1 * ms}, "dt must be > 0"),
    (InhibitoryNetwork, {"dt": "0ms"}, "dt must be > 0"),
    (InhibitoryNetwork, {"tau_m": -10 * ms}, "tau_m must be > 0"),
    (InhibitoryNetwork, {"tau_m": 0 * ms}, "tau_m must be > 0"),
    (EINetwork, {"tau": 0 * ms}, "tau must be > 0"),
    (EINetwork, {"cycle_period": -1 * ms, "inh_duration": 0 * ms}, "cycle_period must be > 0"),
    (InhibitoryNetwork, {"tau_d": -1 * ms}, "tau_d must be >= 0"),
    (InhibitoryNetwork, {"g": [1, 2]}, "g must be a single real number, got list"),
    (InhibitoryNetwork, {"g": 1 + 2j}, "g must be a single real number, got complex"),
    (InhibitoryNetwork, {"g": np.array([1.0, 2.0])}, "g must be a single real number, got ndarray"),
    (InhibitoryNetwork, {"g": True}, "g must be a number, got the boolean"),
    (InhibitoryNetwork, {"g": "five"}, "cannot read g='five'"),
    (InhibitoryNetwork, {"pulse": 3}, "pulse must be text"),
    (InhibitoryNetwork, {"tau_d": [1, 2] * ms}, "tau_d must be a single value"),
    (InhibitoryNetwork, {"N": 1e20}, "N=1e+20 is a float beyond 2**53"),
    (InhibitoryNetwork, {"N": 2**64}, "N must fit in 64 bits"),
    (EINetwork, {"seed": 2**32}, "seed must be <= 4.29497e+09"),
    (InhibitoryNetwork, {"tau_d": 0.05 * ms}, "tau_d=50. us is not a whole number of time steps dt=100. us"),
    (InhibitoryNetwork, {"tau_d": 1.05 * ms, "dt": 0.1 * ms}, "is not a whole number of time steps"),
])
def test_bad_values_are_named_before_anything_is_built(model, overrides, message, brian_objects):
    with pytest.raises(ParameterError) as error:
        model(**overrides)
    assert message in str(error.value)
    assert brian_objects == []


def test_seed_beyond_float_precision_stays_exact():
    exact = InhibitoryNetwork(N=50, seed=2**53 + 1)
    assert exact.values["seed"] == 2**53 + 1 and exact.record["seed"] == 2**53 + 1
    assert InhibitoryNetwork(N=50, seed="9007199254740993").values["seed"] == 2**53 + 1
    # a different seed must give a different network (float conversion made them equal)
    assert not np.array_equal(exact.excitabilities(), InhibitoryNetwork(N=50, seed=2**53).excitabilities())


def test_numpy_scalars_and_integral_strings_are_accepted():
    model = InhibitoryNetwork(N=np.int64(30), g=np.float32(2.5), K="10", seed=np.uint32(3))
    assert (model.values["N"], model.values["K"], model.values["seed"]) == (30, 10, 3)
    assert type(model.values["N"]) is int and model.values["g"] == 2.5


@pytest.mark.parametrize("duration, message", [
    (0.05 * ms, "shorter than one time step"),
    (INF * second, "duration must be finite"),
    (-1 * second, "duration must be > 0"),
    ("1e999s", "duration must be finite"),
    (10 * mV, "duration needs a unit of time"),
    ([1, 2] * second, "duration must be a single time"),
])
def test_bad_durations_are_refused_before_the_run(duration, message, brian_objects):
    with pytest.raises(ParameterError, match=message):
        simulate(InhibitoryNetwork(N=5), duration, target="numpy", progress=False)
    assert brian_objects == []


@pytest.mark.parametrize("transient, message", [
    (-1 * ms, "t_start must be a time in"), (300 * ms, "t_start must be a time in"),
    (INF * ms, "t_start must be finite"), (5, "t_start needs a unit of time"),
])
def test_bad_transients_are_refused(transient, message):
    with pytest.raises(ParameterError, match=message):
        check_transient(transient, 200 * ms)


@pytest.mark.parametrize("argv, message", [
    (["--duration", "1e999s"], "duration must be finite"),
    (["--duration", "1s", "--transient", "2s"], "t_start must be a time in"),
    (["--duration", "1s", "--transient=-1s"], "t_start must be a time in"),
    (["--set", "tau_m=0ms"], "tau_m must be > 0"),
    (["--set", "N=1e999"], "N must be finite"),
])
def test_cli_refuses_bad_times_before_running(argv, message, tmp_path, capsys, monkeypatch):
    from neurodyn.cli import main
    from neurodyn.cli import run as run_command

    monkeypatch.setattr(run_command, "simulate", lambda *a, **k: pytest.fail("simulated despite a bad input"))
    assert main(["run", "inhibitory", "--target", "numpy", "--out", str(tmp_path / "o"), *argv]) == 2
    assert message in capsys.readouterr().err


# Global coupling goes through one shared field (N synapses), so a global network is refused only
# when its neurons alone exceed the memory; the N^2 pairwise construction is refused much earlier.
@pytest.mark.parametrize("overrides", [{"N": 200_000, "coupling": "pairwise"}, {"N": 10**9}, {"N": 10**8, "K": 10}])
def test_huge_networks_are_refused_by_a_size_check(overrides, brian_objects):
    with pytest.raises(ResourceError, match="GiB"):
        simulate(InhibitoryNetwork(**overrides), 1 * second, target="numpy", progress=False)
    assert brian_objects == []


def test_record_v_duplicates_and_fractions_are_refused():
    model = InhibitoryNetwork(N=10)
    with pytest.raises(ParameterError, match=r"neuron\(s\) \[3\] more than once"):
        simulate(model, 10 * ms, target="numpy", record_v=[3, 3, 1], progress=False)
    with pytest.raises(ParameterError, match="whole neuron indices"):
        simulate(model, 10 * ms, target="numpy", record_v=[1.5], progress=False)


def test_dt_longer_than_the_membrane_time_constant_warns_by_name():
    with pytest.warns(TimeStepWarning, match="dt=2. ms is longer than tau_m=1. ms"):
        InhibitoryNetwork(tau_m=1 * ms, dt=2 * ms, tau_d=2 * ms)
    with warnings.catch_warnings():
        warnings.simplefilter("error", TimeStepWarning)
        InhibitoryNetwork(tau_m=10 * ms, dt=0.1 * ms)  # the default warns about nothing


def test_excitabilities_are_what_the_saved_parameters_say():
    model = InhibitoryNetwork(N=3, excitabilities=[1.1, 1.25, 1.4])
    assert (model.record["I_sampling"], model.record["I_l"], model.record["I_u"]) == ("given", 1.1, 1.4)
    with pytest.raises(ParameterError, match="I_sampling='given' needs the array"):
        InhibitoryNetwork(**model.parameters.from_record(model.record))
    with pytest.raises(ParameterError, match="excitabilities must hold real numbers"):
        InhibitoryNetwork(N=2, excitabilities=["1.1", "x"])
    with pytest.raises(ParameterError, match="excitabilities must hold real numbers"):
        InhibitoryNetwork(N=2, excitabilities=[1.1 + 1j, 1.2])


FRESH_RUN = """
import json, sys
from brian2 import ms
from neurodyn import InhibitoryNetwork, simulate
r = simulate(InhibitoryNetwork(N=30, g=1.5, alpha=2, seed=5), 60 * ms, target="numpy", progress=False)
print(json.dumps({"i": r.spike_i.tolist(), "t": r.spike_t.tolist()}))
"""


def test_after_refused_inputs_and_a_broken_clock_the_next_run_equals_a_fresh_process():
    fresh = subprocess.run([sys.executable, "-c", FRESH_RUN], capture_output=True, text=True, timeout=300, check=True)
    expected = json.loads(fresh.stdout.strip().splitlines()[-1])
    refused = [dict(dt=0 * ms), dict(dt=-0.1 * ms), dict(tau_m=0 * ms), dict(g=INF), dict(N="1e999"), dict(g=[1])]
    for overrides in refused:
        with pytest.raises(NeurodynError):
            simulate(InhibitoryNetwork(**{"N": 30, **overrides}), 60 * ms, target="numpy", progress=False)
    with pytest.raises(NeurodynError):
        simulate(InhibitoryNetwork(N=30), 0 * ms, target="numpy", progress=False)
    # a run that fails inside Brian2 with a zero time step (what dt=0 did before it was refused)
    with pytest.raises(ZeroDivisionError):
        with target_device("numpy", 0 * ms):
            Network(NeuronGroup(1, "dv/dt = -v/(10*ms) : 1", method="exact")).run(1 * ms)
    result = simulate(InhibitoryNetwork(N=30, g=1.5, alpha=2, seed=5), 60 * ms, target="numpy", progress=False)
    assert len(expected["i"]) > 0
    assert result.spike_i.tolist() == expected["i"] and result.spike_t.tolist() == expected["t"]


def test_brian2_pyparsing_deprecations_are_not_shown_but_model_warnings_are():
    script = ("from neurodyn import InhibitoryNetwork, simulate\nfrom brian2 import ms\n"
              "simulate(InhibitoryNetwork(N=5, tau_m=1*ms, dt=2*ms, tau_d=2*ms), 10*ms, target='numpy', progress=False)\n")
    shown = subprocess.run([sys.executable, "-W", "default", "-c", script], capture_output=True, text=True,
                           timeout=300, check=True).stderr
    assert "PyparsingDeprecationWarning" not in shown and "deprecated" not in shown
    assert "TimeStepWarning: dt=2. ms is longer than tau_m=1. ms" in shown


def test_eicil_drive_units_and_schedule_are_checked(brian_objects):
    with pytest.raises(ParameterError, match="x_mean_hz is dimensionless"):
        EINetwork(x_mean_hz=5 * Hz)
    with pytest.raises(ParameterError, match="inh_duration must be >= 0"):
        EINetwork(cycle_period=10 * ms, inh_duration=-1 * ms)
    EINetwork(cycle_period=10 * ms, inh_duration=0 * ms)  # inhibition switched off: allowed
    assert brian_objects == []


@pytest.mark.parametrize("seed, message", [(1.5, "study seed must be an integer"), (-1, "study seed must be >= 0"),
                                           ("abc", "cannot read study seed"), (INF, "study seed must be finite")])
def test_study_seed_is_checked_like_a_parameter(seed, message, tmp_path):
    from neurodyn.studies import Study, product

    with pytest.raises(ParameterError, match=message):
        Study("s", InhibitoryNetwork, product(g=[1.0]), duration=0.1 * second, seed=seed).run(tmp_path / "o")
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("argv", [["--duration", "20ms"], ["--duration", "100ms", "--transient", "80ms"]])
def test_an_analysis_window_too_short_for_the_summary_is_refused_before_running(argv, tmp_path, capsys, monkeypatch):
    """The summary's chi_spikes smooths with a 2 ms Gaussian truncated at 4 sigma and needs a window
    longer than the 16 sigma support of its autocorrelation (32.5 ms in 0.5 ms bins); shorter windows
    used to end in a traceback after the whole run."""
    from neurodyn.cli import main
    from neurodyn.cli import run as run_command

    monkeypatch.setattr(run_command, "simulate", lambda *a, **k: pytest.fail("simulated despite a bad input"))
    assert main(["run", "inhibitory", "--target", "numpy", "--out", str(tmp_path / "o"), *argv]) == 2
    assert "analysis window" in capsys.readouterr().err


def test_the_shortest_accepted_window_is_what_chi_needs():
    from neurodyn.analysis.synchrony import chi_from_spikes, chi_min_window

    shortest = chi_min_window()
    t = np.linspace(0.001, shortest - 0.001, 20)
    assert np.isfinite(chi_from_spikes(np.arange(20) % 4, t, n_neurons=4, t_start=0.0, t_stop=shortest))
    with pytest.raises(ValueError, match="16 sigma"):
        chi_from_spikes(np.arange(20) % 4, t, n_neurons=4, t_start=0.0, t_stop=shortest - 0.5e-3)
