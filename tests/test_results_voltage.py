"""Voltage traces keep each value with its neuron and time, in frames and through Parquet; the
command line prints the mean field in Hz (numpy target, tiny runs)."""
import re

import numpy as np
import pandas as pd
import pytest
from brian2 import ms

from neurodyn import InhibitoryNetwork, SimulationResult, simulate
from neurodyn.cli import main
from neurodyn.results import VoltageTraces
from neurodyn.theory import free_rate, global_mean_field

RECORDED = [5, 0, 3]      # deliberately not sorted


@pytest.fixture(scope="module")
def isolated():
    """g = 0: neuron k relaxes towards I_k with its own period, so every trace differs."""
    excitabilities = np.linspace(1.1, 2.0, 6)
    model = InhibitoryNetwork(N=6, g=0, excitabilities=excitabilities)
    return model, simulate(model, 60 * ms, target="numpy", record_v=RECORDED, progress=False)


def exact_free_trace(I, v0, n_steps, dt=1e-4, tau=10e-3):
    """tau dv/dt = I - v from v0, reset to 0 at the first grid value >= 1 (read before the reset)."""
    v, trace = v0, np.empty(n_steps)
    for k in range(n_steps):
        trace[k] = v
        v = I + (v - I) * np.exp(-dt / tau)
        if v >= 1:
            v = 0.0
    return trace


def test_each_recorded_trace_belongs_to_its_neuron(isolated):
    model, result = isolated
    assert result.voltage.neurons.tolist() == RECORDED
    for row, neuron in enumerate(RECORDED):
        expected = exact_free_trace(model.excitabilities()[neuron], model.initial_potentials()[neuron], 600)
        np.testing.assert_allclose(result.voltage.v[row], expected, rtol=0, atol=1e-12)


def test_voltage_frame_rows_pair_neuron_time_and_value(isolated):
    _, result = isolated
    frame = result.voltage_frame()
    assert list(frame.columns) == ["neuron", "t_ms", "v"] and len(frame) == 3 * 600
    for row, neuron in enumerate(RECORDED):
        own = frame[frame["neuron"] == neuron]
        np.testing.assert_allclose(own["t_ms"], result.voltage.t * 1e3)
        np.testing.assert_array_equal(own["v"], result.voltage.v[row])
    lookup = frame.set_index(["neuron", "t_ms"])["v"]
    assert lookup[(3, result.voltage.t[17] * 1e3)] == result.voltage.v[2, 17]


def test_voltage_round_trip_keeps_labels(isolated, tmp_path):
    _, result = isolated
    result.save(tmp_path / "run")
    loaded = SimulationResult.load(tmp_path / "run")
    pd.testing.assert_frame_equal(loaded.voltage_frame(), result.voltage_frame())
    for neuron, trace in zip(result.voltage.neurons, result.voltage.v):
        row = loaded.voltage.neurons.tolist().index(neuron)
        np.testing.assert_array_equal(loaded.voltage.v[row], trace)
    np.testing.assert_allclose(loaded.voltage.t, result.voltage.t)


def test_voltage_traces_from_a_frame_in_any_row_order():
    traces = VoltageTraces(t=np.array([0.0, 1e-3, 2e-3]), neurons=np.array([7, 2]),
                           v=np.array([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]]))
    shuffled = traces.frame().sample(frac=1.0, random_state=0)
    back = VoltageTraces.from_frame(shuffled)
    assert dict(zip(back.neurons.tolist(), back.v.tolist())) == {7: [0.1, 0.2, 0.3], 2: [0.4, 0.5, 0.6]}
    np.testing.assert_allclose(back.t, traces.t)


def test_cli_prints_simulation_and_mean_field_in_hz(tmp_path, capsys):
    """tau_m = 20 ms, g = 0: the mean field is <nu(I_k)> / tau_m in Hz; the printed simulated
    rate agrees with it within one spike per neuron over the 0.8 s analysed and the grid lag
    (each interval lengthened by < dt: rate low by < nu^2 dt / tau_m ~ 0.4 %)."""
    code = main(["run", "inhibitory", "--set", "N=20", "--set", "g=0", "--set", "I_sampling=even",
                 "--set", "tau_m=20ms", "--duration", "1s", "--target", "numpy", "--out", str(tmp_path),
                 "--quiet", "--no-plot"])
    assert code == 0
    out = capsys.readouterr().out
    model = InhibitoryNetwork(N=20, g=0, I_sampling="even")
    expected_hz = float(np.mean(free_rate(model.excitabilities()))) / 0.020
    assert global_mean_field(0.0, excitabilities=model.excitabilities()).rate_hz(0.020) == pytest.approx(expected_hz)
    theory = re.search(r"mean-field theory.*n_active_frac=([\d.]+) mean_rate_hz=([\d.]+)", out)
    simulated = re.search(r"on numpy: n_active_frac=([\d.]+) mean_rate_hz=([\d.]+)", out)
    assert float(theory.group(1)) == 1.0 and float(simulated.group(1)) == 1.0    # every I_k > 1 (slowest: 88 ms)
    assert float(theory.group(2)) == pytest.approx(expected_hz, abs=0.005)
    assert float(simulated.group(2)) == pytest.approx(expected_hz, abs=1 / 0.8 + 0.004 * expected_hz)
