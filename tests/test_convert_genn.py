"""Converted networks generate Brian2GeNN projects (code generation only, no GeNN needed), and,
where ``GENN_PATH`` names a GeNN 4.9.0 tree, build and run on GeNN's CPU backend exactly like the
numpy target. Spiking graphs (snnTorch, Norse, NIR) need Brian2's when/order schedule for
same-step propagation and are refused on GeNN (tests/test_convert_nir.py)."""
import numpy as np
import pytest
from brian2 import ms, second

from neurodyn.convert import DenseNetwork, build_converted, convert, read_npz, run_converted
from neurodyn.convert.datasets import digits_split
from neurodyn.targets import genn_path, target_device
from test_convert_ei import signed_network


@pytest.fixture
def genn_directory(tmp_path):
    """neurodyn's genn target generating code only (no GeNN needed); dt is set per network."""
    with target_device("genn", 1 * ms, build_dir=tmp_path / "genn", use_gpu=False, generate_only=True):
        yield tmp_path / "genn"


@pytest.fixture
def genn_installed():
    if genn_path() is None:
        pytest.skip("GENN_PATH is not set: building needs a GeNN 4.x tree (genn-team/genn, tag 4.9.0)")


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


def test_ei_network_generates_a_genn_project(genn_directory):
    """Poisson input -> linear hidden layer (EI) -> EI spiking output: the project holds both
    thresholds and the signed reset of each EI layer, and the EICIL sign synapses (the sign copied
    from s_pre in synapse dynamics, on_pre adding w * sgn)."""
    rng = np.random.default_rng(0)
    ann = DenseNetwork.from_arrays([rng.normal(size=(5, 4)), rng.normal(size=(3, 5))], [np.zeros(5), np.zeros(3)],
                                   ["linear", "linear"])
    net = convert(ann, percentile=None, neuron="ei", encoding="poisson", readout="spikes")
    built = build_converted(net, np.full((2, 4), 0.5))
    built.network.run(5 * net.dt)
    code = (genn_directory / "magicnetwork_model.cpp").read_text()
    assert code.count("char _cond = ($(v) >= $(theta_e)) || (($(v) <= (- $(theta_i))) && (inh_on == 1));") == 2
    assert code.count('SET_RESET_CODE("$(s) = (2 * int_($(v) > 0)) - 1;') == 2
    assert code.count("$(addToInSyn,$(w));") == 1  # Poisson input -> hidden layer: one spike, no sign
    assert "$(addToInSyn,($(w) * $(sgn)));" in code
    assert 'SET_SYNAPSE_DYNAMICS_CODE("double _sgn = $(s_pre);' in code


def test_quantized_network_runs_on_genn_like_numpy(genn_installed):
    """Quantized encoder -> quantized hidden layer (multi-bit) -> spiking readout, 20 digits, 30
    steps: GeNN's CPU backend gives the same counts, membranes and per-layer quanta as the numpy
    target (so the count copy before delivery holds in GeNN's order of work too). About a minute."""
    _, x_test, _, _ = digits_split()
    net = convert(read_npz("data/digits_mlp.npz"), percentile=None, neuron="quantized", encoding="quantized",
                  readout="spikes", dt=1 * second)
    x, steps = x_test[:20], 30
    reference = run_converted(net, x, steps, target="numpy")
    genn = run_converted(net, x, steps, target="genn", seed=None, use_gpu=False)
    assert reference.activity(steps)["bits_per_activity"] > 1.2
    np.testing.assert_array_equal(genn.output_counts, reference.output_counts)
    np.testing.assert_array_equal(genn.potential, reference.potential)
    for genn_layer, numpy_layer in zip(genn.layers, reference.layers):
        np.testing.assert_array_equal(genn_layer.quanta, numpy_layer.quanta)


def test_ei_network_runs_on_genn_like_numpy(genn_installed):
    """Linear hidden layer (EI) -> ReLU layer (IF) -> EI spiking output, constant-current input,
    8 samples, 40 steps: GeNN's CPU backend gives the same signed output counts and per-layer
    spike events in every step as the numpy target (the sign copy before delivery holds in GeNN).
    GeNN adds the input delivered in step k to v in the neuron update of step k + 1, so its output
    membrane at the end of step k + 1 is numpy's at the end of step k plus the bias minus the
    signed spike of step k + 1 (to 1e-12)."""
    net, x = signed_network()
    steps = 40
    reference = run_converted(net, x, steps, target="numpy")
    genn = run_converted(net, x, steps, target="genn", seed=None, use_gpu=False)
    assert (reference.output_counts[-1] < 0).any() and (reference.output_counts[-1] > 0).any()
    np.testing.assert_array_equal(genn.output_counts, reference.output_counts)
    np.testing.assert_allclose(genn.potential[1:], reference.potential[:-1] + net.biases[-1]
                               - np.diff(reference.output_counts, axis=0), rtol=0, atol=1e-12)
    for genn_layer, numpy_layer in zip(genn.layers, reference.layers):
        assert numpy_layer.events.sum() > 50
        np.testing.assert_array_equal(genn_layer.events, numpy_layer.events)
