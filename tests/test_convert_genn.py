"""Converted networks generate Brian2GeNN projects (code generation only, no GeNN needed), and,
where ``GENN_PATH`` names a GeNN 4.9.0 tree, build and run on GeNN's CPU backend exactly like the
numpy target."""
import os
from contextlib import contextmanager

import nir
import numpy as np
import pytest
from brian2 import defaultclock, device, ms, prefs, second, set_device

from neurodyn.convert import DenseNetwork, build_converted, convert, read_npz, run_converted
from neurodyn.convert.datasets import digits_split
from neurodyn.convert.nir_graph import read_nir
from neurodyn.convert.nir_network import build_nir, run_nir
from neurodyn.convert.simulate import _collect


@contextmanager
def genn_device(directory, **build_options):
    """Select the GeNN device; afterwards restore Brian2's runtime device and the preferences
    that Brian2GeNN changes."""
    pytest.importorskip("brian2genn")
    saved = {name: prefs[name] for name in ("codegen.loop_invariant_optimisations", "core.network.default_schedule")}
    set_device("genn", directory=str(directory), use_GPU=False, **build_options)
    try:
        yield directory
    finally:
        device.reinit()
        set_device("runtime")
        for name, value in saved.items():
            prefs[name] = value


@pytest.fixture
def genn_directory(tmp_path):
    """A GeNN device generating code only (no GeNN needed)."""
    with genn_device(tmp_path / "genn", compile=False, run=False) as directory:
        yield directory


@pytest.fixture
def genn_path():
    if not os.environ.get("GENN_PATH"):
        pytest.skip("GENN_PATH is not set: building needs a GeNN 4.9.0 source tree (genn-team/genn, tag 4.9.0)")


def small_ann():
    rng = np.random.default_rng(0)
    return DenseNetwork.from_arrays([rng.normal(size=(5, 4)), rng.normal(size=(3, 5))], [np.zeros(5), np.zeros(3)])


def test_quantized_network_generates_a_genn_project(genn_directory):
    """Quantized encoder -> quantized layer -> readout: the project holds the multi-bit reset,
    the per-synapse copy of the count and its delivery."""
    net = convert(small_ann(), percentile=None, neuron="quantized", encoding="quantized", dt=10 * ms)
    built = build_converted(net, np.full((2, 4), 50.0))
    built.network.run(5 * net.dt)
    code = (genn_directory / "magicnetwork_model.cpp").read_text()
    assert '"$(n) = floor($(v));\\n\\\n$(v) += - $(n);"' in code
    assert "_c = $(amplitude_pre) * $(n_pre)" in code and "$(addToInSyn,(1.0f*($(w) * $(c))/DT))" in code
    assert "int_(($(drive) + $(x)) > 0))/$(amplitude)" in code


def test_if_network_with_poisson_input_generates_a_genn_project(genn_directory):
    net = convert(small_ann(), np.ones((3, 4)), encoding="poisson", readout="spikes")
    built = build_converted(net, np.full((2, 4), 0.5))
    built.network.run(5 * net.dt)
    code = (genn_directory / "magicnetwork_model.cpp").read_text()
    assert code.count("char _cond = $(v) >= $(theta);") == 2
    assert code.count('SET_RESET_CODE("$(v) += - $(theta);")') == 2
    assert "_rand($(_seed)) < ($(drive) * DT)" in code  # the Poisson encoder
    assert code.count("$(addToInSyn,$(w))") == 2


def test_nir_network_generates_a_genn_project(genn_directory):
    graph = nir.NIRGraph.from_list(nir.Affine(np.ones((3, 2)), np.zeros(3)),
                                   nir.LIF(tau=np.full(3, 0.01), r=np.ones(3), v_leak=np.zeros(3),
                                           v_threshold=np.ones(3), v_reset=np.zeros(3)))
    network, _, _ = build_nir(read_nir(graph), np.ones((1, 4, 2)), dt=1 * ms, time_unit=1 * second)
    network.run(4 * ms)
    code = (genn_directory / "magicnetwork_model.cpp").read_text()
    assert "char _cond = $(v) > $(v_threshold);" in code and 'SET_RESET_CODE("$(v) = $(v_reset);")' in code
    assert "$(addToInSyn,$(w))" in code and "nir_input" in code


def test_quantized_network_runs_on_genn_like_numpy(genn_path, tmp_path):
    """Quantized encoder -> quantized hidden layer (multi-bit) -> spiking readout, 20 digits, 30
    steps: GeNN's CPU backend gives the same counts, membranes and per-layer quanta as the numpy
    target (so the count copy before delivery holds in GeNN's order of work too). About a minute."""
    _, x_test, _, _ = digits_split()
    net = convert(read_npz("data/digits_mlp.npz"), percentile=None, neuron="quantized", encoding="quantized",
                  readout="spikes", dt=1 * second)
    x, steps = x_test[:20], 30
    reference = run_converted(net, x, steps, target="numpy")
    with genn_device(tmp_path / "genn_build"):
        defaultclock.dt = net.dt
        built = build_converted(net, x)
        built.network.run(steps * net.dt, namespace={})
        genn = _collect(net, built, steps, len(x), None)
    assert reference.activity(steps)["bits_per_activity"] > 1.2
    np.testing.assert_array_equal(genn.output_counts, reference.output_counts)
    np.testing.assert_array_equal(genn.potential, reference.potential)
    for genn_layer, numpy_layer in zip(genn.layers, reference.layers):
        np.testing.assert_array_equal(genn_layer.quanta, numpy_layer.quanta)


def test_nir_lif_graph_runs_on_genn_like_numpy(genn_path, tmp_path):
    """Affine -> LIF -> Affine -> LIF from NIR, 3 samples of input spikes: identical spikes, and
    last-layer membranes equal to rounding (1e-12), on GeNN's CPU backend and on numpy."""
    rng = np.random.default_rng(0)
    lif = {"tau": np.full(12, 5.0), "r": np.full(12, 6.0), "v_leak": np.full(12, 0.05),
           "v_threshold": np.ones(12), "v_reset": np.full(12, -0.1)}
    graph = nir.NIRGraph.from_list(nir.Affine(rng.normal(0, 1.2, (12, 5)), rng.normal(0, 0.05, 12)), nir.LIF(**lif),
                                   nir.Affine(rng.normal(0, 1.0, (4, 12)), np.zeros(4)),
                                   nir.LIF(**{key: value[:4] for key, value in lif.items()}))
    chain, spikes, dt = read_nir(graph), rng.random((3, 150, 5)) < 0.2, 0.5 * ms
    reference = run_nir(chain, spikes, dt=dt, time_unit=1 * ms)
    with genn_device(tmp_path / "genn_build"):
        defaultclock.dt = dt
        network, monitors, state = build_nir(chain, spikes, dt, 1 * ms)
        network.run(150 * dt, namespace={})
        for stage in chain.stages:
            recorded = np.zeros((150, 3 * stage.size), dtype=bool)
            recorded[np.rint(monitors[stage.name].t / dt).astype(int), monitors[stage.name].i] = True
            assert recorded.sum() > 50
            np.testing.assert_array_equal(recorded.reshape(150, 3, stage.size), reference.spikes[stage.name])
        np.testing.assert_allclose(np.asarray(state.v).T.reshape(150, 3, 4), reference.v_last, rtol=0, atol=1e-12)
