"""Converted networks generate Brian2GeNN projects (code generation only, no GeNN needed)."""
import nir
import numpy as np
import pytest
from brian2 import device, ms, prefs, second, set_device

from neurodyn.convert import DenseNetwork, build_converted, convert
from neurodyn.convert.nir_graph import read_nir
from neurodyn.convert.nir_network import build_nir


@pytest.fixture
def genn_directory(tmp_path):
    """A GeNN device generating code only; Brian2's device and the preferences that Brian2GeNN
    changes are restored afterwards."""
    pytest.importorskip("brian2genn")
    saved = {name: prefs[name] for name in ("codegen.loop_invariant_optimisations", "core.network.default_schedule")}
    directory = tmp_path / "genn"
    set_device("genn", directory=str(directory), compile=False, run=False, use_GPU=False)
    try:
        yield directory
    finally:
        device.reinit()
        set_device("runtime")
        for name, value in saved.items():
            prefs[name] = value


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
