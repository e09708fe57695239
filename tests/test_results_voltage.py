"""Voltage traces keep each value with its neuron and time, in frames and through Parquet; the
command line prints the mean field in Hz (numpy target, tiny runs)."""
import re

import numpy as np
import pandas as pd
import pytest
from brian2 import ms

from neurodyn import InhibitoryNetwork, SimulationResult, simulate
from neurodyn.cli import main
from neurodyn.errors import SynchronyWarning
from neurodyn.results import StateTraces
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
    import pyarrow.parquet as pq

    _, result = isolated
    with pytest.warns(SynchronyWarning, match="3 of the 3 recorded neurons fire"):  # the saved summary's chi_voltage
        result.save(tmp_path / "run")
    assert pq.read_table(tmp_path / "run" / "voltage.parquet").column_names == ["neuron", "t_ms", "v"]
    loaded = SimulationResult.load(tmp_path / "run")
    pd.testing.assert_frame_equal(loaded.voltage_frame(), result.voltage_frame())
    for neuron, trace in zip(result.voltage.neurons, result.voltage.v):
        row = loaded.voltage.neurons.tolist().index(neuron)
        np.testing.assert_array_equal(loaded.voltage.v[row], trace)
    np.testing.assert_allclose(loaded.voltage.t, result.voltage.t)


def test_voltage_traces_from_a_frame_in_any_row_order():
    traces = StateTraces(t=np.array([0.0, 1e-3, 2e-3]), neurons=np.array([7, 2]),
                         values=np.array([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]]))
    shuffled = traces.frame().sample(frac=1.0, random_state=0)
    back = StateTraces.from_frame(shuffled)
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
    assert global_mean_field(0.0, excitabilities=model.excitabilities(), tau_m=0.020).mean_rate_hz == pytest.approx(expected_hz)
    theory = re.search(r"mean-field theory.*n_active_frac=([\d.]+) mean_rate_hz=([\d.]+)", out)
    simulated = re.search(r"on numpy: n_active_frac=([\d.]+) mean_rate_hz=([\d.]+)", out)
    assert float(theory.group(1)) == 1.0 and float(simulated.group(1)) == 1.0    # every I_k > 1 (slowest: 88 ms)
    assert float(theory.group(2)) == pytest.approx(expected_hz, abs=0.005)
    assert float(simulated.group(2)) == pytest.approx(expected_hz, abs=1 / 0.8 + 0.004 * expected_hz)


def hand_made_result(**changes):
    """A result built directly (no simulation): two neurons, a sign per spike, simultaneous spikes."""
    from neurodyn.results import SimulationResult as Result

    rng = np.random.default_rng(0)
    spike_t = np.sort(rng.uniform(0, 1.0, 200)).round(4)
    spike_t[5] = spike_t[4]                                    # two spikes in one step: order kept
    values = dict(model="inhibitory", params={"g": 1.0, "tau_d_ms": 1.0}, n_neurons=2, t_stop=1.0, dt=1e-4,
                  spike_i=np.arange(200) % 2, spike_t=spike_t, target="numpy", timings={"run_s": 0.5},
                  t_start=0.1, spike_values={"s": np.where(np.arange(200) % 3, 1, -1)})
    return Result(**{**values, **changes})


def test_every_field_survives_save_and_load(tmp_path):
    import pyarrow.parquet as pq

    from neurodyn.analysis.rates import population_rate

    result = hand_made_result()
    assert result.voltage_frame() is None
    spikes = result.spikes_frame()
    assert spikes["neuron"].dtype == np.int64 and list(spikes.columns) == ["neuron", "t_ms", "s"]
    assert spikes["neuron"].iloc[4:6].tolist() == [0, 1]                  # stable for equal times
    out = result.save(tmp_path / "a" / "b", t_start=0.2)
    assert out == tmp_path / "a" / "b"
    loaded = SimulationResult.load(out)
    for name in ("model", "params", "n_neurons", "t_start", "t_stop", "dt", "target", "timings"):
        assert getattr(loaded, name) == getattr(result, name), name
    assert loaded.voltage is None and set(loaded.spike_values) == {"s"}
    pd.testing.assert_frame_equal(loaded.spikes_frame(), spikes)
    for name, columns in (("spikes", ["neuron", "t_ms", "s"]), ("population_rate", ["t_ms", "pop_rate_hz"])):
        assert pq.read_table(out / f"{name}.parquet").column_names == columns
    summary = pq.read_table(out / "summary.parquet").to_pandas()
    assert pq.read_table(out / "summary.parquet").column_names == list(result.summary(t_start=0.2).columns)
    pd.testing.assert_frame_equal(result.summary(), result.summary(t_start=0.1))      # default: own t_start
    assert result.summary().loc[0, "n_spikes"] != result.summary(t_start=0.5).loc[0, "n_spikes"]
    pd.testing.assert_frame_equal(summary, result.summary(t_start=0.2))
    assert summary.loc[0, "model"] == "inhibitory" and summary.loc[0, "target"] == "numpy"
    assert summary.loc[0, "n_spikes"] == np.sum(result.spike_t >= 0.2)
    # population rate: the analysis function with the bin and smoothing in seconds
    pd.testing.assert_frame_equal(result.population_rate_frame(), population_rate(result, bin_width=1e-3))
    pd.testing.assert_frame_equal(result.population_rate_frame(bin_ms=5.0, smooth_ms=10.0),
                                  population_rate(result, bin_width=5e-3, smooth_width=10e-3))
    kept = result.select_spikes(result.spike_i == 1)
    assert (kept.spike_i == 1).all() and len(kept.spike_t) == 100 and len(kept.spike_values["s"]) == 100
    np.testing.assert_array_equal(kept.spike_values["s"], result.spike_values["s"][result.spike_i == 1])
