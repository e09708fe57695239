"""Notebook use: short reprs (no array dumps), HTML tables, the list of models and parameters."""
import numpy as np
from brian2 import ms, second

import neurodyn
from neurodyn import InhibitoryNetwork, SimulationResult
from neurodyn.registry import available_models
from neurodyn.results import StateTraces
from neurodyn.studies import Study, product


def big_result() -> SimulationResult:
    """10^5 spikes of 1000 neurons and 400 recorded traces of 20,000 samples: no Brian2 run."""
    rng = np.random.default_rng(0)
    traces = StateTraces(t=np.arange(20_000) * 1e-4, neurons=np.arange(400), values=rng.random((400, 20_000)))
    return SimulationResult(model="inhibitory", params={"N": 1000, "g": 5.0}, n_neurons=1000, t_stop=2.0, dt=1e-4,
                            spike_i=rng.integers(0, 1000, 100_000), spike_t=np.sort(rng.random(100_000) * 2),
                            voltage=traces, target="numpy")


def test_result_and_traces_reprs_are_one_short_line():
    result = big_result()
    text = repr(result)
    assert "\n" not in text and len(text) < 200 and "array" not in text
    assert "1000 neurons" in text and "0-2000 ms" in text and "100000 spikes" in text and "v (400 neurons)" in text
    assert "g=5.0" in text
    assert repr(result.voltage) == "StateTraces('v', neurons=[0, 1, 2, 3, 4, ..., 399] (400), 20000 samples, 0-1999.9 ms)"
    html = result._repr_html_()
    assert html.count("<table") == 1 and "<td>5.0</td>" in html and "array" not in html


def test_model_and_study_reprs_are_short_and_the_model_has_a_table():
    model = InhibitoryNetwork(N=100, g=5, tau_d=2 * ms)
    assert repr(model).startswith("InhibitoryNetwork(N=100, K=None, g=5.0,") and "tau_d_ms=2.0" in repr(model)
    html = model._repr_html_()
    assert html.count("<tr") == len(model.parameters.names) + 1   # header + one row per parameter
    assert "<td>tau_d</td>" in html and "<td>2.0</td>" in html and "synaptic delay" in html
    study = Study("wta", InhibitoryNetwork, product(g=list(range(1, 101))).repeat(3), duration=2 * second,
                  fixed=dict(N=400, alpha=2))
    text = repr(study)
    assert text == ("Study('wta': inhibitory, 100 points x 3 seeds over g, 2. s (transient 0.4 s) on cython, "
                    "seed 0; fixed N=400, alpha=2)")


def test_list_models_gives_every_model_and_its_declared_parameters():
    listing = neurodyn.list_models()
    assert list(listing.columns) == ["model", "parameter", "column", "default", "unit", "doc"]
    assert set(listing["model"]) == set(available_models()) >= {"inhibitory", "eicil", "brunel_hakim", "cobahh"}
    for name, rows in listing.groupby("model", sort=False):
        spec = neurodyn.load_model(name).parameters
        assert rows["parameter"].tolist() == spec.names
        assert rows["column"].tolist() == [spec[p].column for p in spec.names]
    inhibitory = listing[listing["model"] == "inhibitory"].set_index("parameter")
    assert inhibitory.loc["tau_d", "default"] == 1.0 and inhibitory.loc["tau_d", "unit"] == "ms"
    assert inhibitory.loc["g", "default"] == InhibitoryNetwork.parameters["g"].default == 1.0
    assert inhibitory.loc["pulse", "default"] == "alpha" and inhibitory.loc["pulse", "unit"] == ""
    eicil = listing[listing["model"] == "eicil"].set_index("parameter")
    assert type(eicil.loc["N", "default"]) is int and eicil.loc["N", "default"] == 200


def test_reprs_give_the_recorded_window_in_ms_and_short_neuron_lists():
    """A window starting at 0.5 s and neuron lists of 6 (shown whole) and 7 (shortened) entries."""
    traces = StateTraces(t=0.5 + np.arange(3) * 1e-3, neurons=np.arange(6), values=np.zeros((6, 3)), variable="u")
    assert repr(traces) == "StateTraces('u', neurons=[0, 1, 2, 3, 4, 5], 3 samples, 500-502 ms)"
    seven = StateTraces(t=np.array([]), neurons=np.arange(10, 17), values=np.zeros((7, 0)))
    assert repr(seven) == "StateTraces('v', neurons=[10, 11, 12, 13, 14, ..., 16] (7), 0 samples, no samples)"
    result = SimulationResult(model="inhibitory", params={"N": 2, "g": 1.5}, n_neurons=2, t_start=0.5, t_stop=2.0,
                              dt=1e-4, spike_i=np.array([1]), spike_t=np.array([0.7]), target=None,
                              states={"u": traces, "v": seven})
    assert repr(result) == ("SimulationResult('inhibitory' on ?: 2 neurons, 500-2000 ms, 1 spikes, "
                            "recorded u (6 neurons), v (7 neurons); N=2, g=1.5)")
    html = result._repr_html_()
    assert html.startswith("<p>SimulationResult(&#x27;inhibitory&#x27; on ?: 2 neurons, 500-2000 ms, 1 spikes, "
                           "recorded u (6 neurons), v (7 neurons))</p><table")
    assert "<th>N</th>" in html and "<th>0</th>" not in html  # the parameters' names, no index column
