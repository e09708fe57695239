"""Converted networks generate Brian2GeNN projects (code generation only, no GeNN needed), and,
where ``GENN_PATH`` names a GeNN 4.9.0 tree, build and run on GeNN's CPU backend exactly like the
numpy target: GeNN's lag of one step per layer is compensated (each layer gated until its depth,
records read from there on; neurodyn.convert.spiking_network)."""
import numpy as np
import pytest
from brian2 import ms, second

from neurodyn.convert import DenseNetwork, convert, read_npz, run_converted
from neurodyn.convert.datasets import digits_split
from neurodyn.convert.spiking_network import build_graph
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


def generate(net, x, steps=5):
    """The GeNN project of ``net`` on inputs ``x`` (the genn_directory fixture's device), its model code."""
    from brian2 import Network
    built = build_graph(net.graph(), net.encoded_inputs(x)[None].repeat(steps, axis=0), "", False, net.dt, genn=True)
    Network(*built.objects, *built.spike_monitors.values()).run(steps * net.dt)
    return built


def small_ann():
    rng = np.random.default_rng(0)
    return DenseNetwork.from_arrays([rng.normal(size=(5, 4)), rng.normal(size=(3, 5))], [np.zeros(5), np.zeros(3)])


def test_quantized_network_generates_a_genn_project(genn_directory):
    """Quantized encoder -> quantized layer -> readout: the project holds the multi-bit reset,
    the per-synapse copy of the count and its delivery."""
    net = convert(small_ann(), percentile=None, neuron="quantized", encoding="quantized", dt=10 * ms)
    generate(net, np.full((2, 4), 50.0))
    code = (genn_directory / "magicnetwork_model.cpp").read_text()
    assert '"$(n) = floor($(v));\\n\\\n$(v) += - $(n);"' in code
    assert "_c = $(amplitude_pre) * $(n_pre)" in code and "$(addToInSyn,(1.0f*($(w) * $(c))/DT))" in code
    # the hidden layer (depth 1 on GeNN) starts one step after the encoder
    assert "int_(($(drive) + $(x)) > 0)) * int_(_timestep(t, DT) >= $(onset)))/$(amplitude)" in code


def test_if_network_with_poisson_input_generates_a_genn_project(genn_directory):
    net = convert(small_ann(), np.ones((3, 4)), encoding="poisson", readout="spikes")
    generate(net, np.full((2, 4), 0.5))
    code = (genn_directory / "magicnetwork_model.cpp").read_text()
    assert code.count("char _cond = $(v) >= $(theta);") == 2
    assert code.count('SET_RESET_CODE("$(v) += - $(theta);")') == 2
    assert "_rand($(_seed)) < ($(drive) * DT)" in code  # the Poisson encoder
    assert code.count("$(addToInSyn,$(w))") == 2
    assert code.count("double _v = (($(drive) * DT) * int_(_timestep(t, DT) >= $(onset))) + $(v);") == 2  # gated


def test_ei_network_generates_a_genn_project(genn_directory):
    """Poisson input -> linear hidden layer (EI) -> EI spiking output: the project holds both
    thresholds and the signed reset of each EI layer, and the EICIL sign synapses (the sign copied
    from s_pre in synapse dynamics, on_pre adding w * sgn)."""
    rng = np.random.default_rng(0)
    ann = DenseNetwork.from_arrays([rng.normal(size=(5, 4)), rng.normal(size=(3, 5))], [np.zeros(5), np.zeros(3)],
                                   ["linear", "linear"])
    net = convert(ann, percentile=None, neuron="ei", encoding="poisson", readout="spikes")
    generate(net, np.full((2, 4), 0.5))
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
    8 samples, 40 steps: GeNN's CPU backend gives the same signed output counts, per-layer spike
    events in every step and output membranes (to 1e-12) as the numpy target's same-step
    schedule, so the compensation (layer l gated until step l, read from there) and the sign copy
    before delivery hold in GeNN."""
    net, x = signed_network()
    steps = 40
    reference = run_converted(net, x, steps, target="numpy")
    genn = run_converted(net, x, steps, target="genn", seed=None, use_gpu=False)
    assert (reference.output_counts[-1] < 0).any() and (reference.output_counts[-1] > 0).any()
    np.testing.assert_array_equal(genn.output_counts, reference.output_counts)
    np.testing.assert_allclose(genn.potential, reference.potential, rtol=0, atol=1e-12)
    for genn_layer, numpy_layer in zip(genn.layers, reference.layers):
        assert numpy_layer.events.sum() > 50
        np.testing.assert_array_equal(genn_layer.events, numpy_layer.events)


def trained_snntorch_mlp():
    """A Linear (with biases) -> Leaky (reset by subtraction) -> Linear -> Leaky network trained
    for seconds on rate-coded digits, its graph, 40 test samples and snnTorch's output spikes."""
    torch = pytest.importorskip("torch", reason="the snnTorch reader needs the torch test extra")
    snn = pytest.importorskip("snntorch", reason="snnTorch is the reference (test extra)")
    from snn_training import digits_spikes, snntorch_forward, train

    from neurodyn.convert import read_snntorch

    torch.manual_seed(0)
    x_train, x_test, y_train, _ = digits_spikes()
    leaky = lambda n, **options: snn.Leaky(beta=0.9, threshold=0.5, init_hidden=True, **options)  # noqa: E731
    net = torch.nn.Sequential(torch.nn.Linear(64, 32), leaky(32), torch.nn.Linear(32, 10), leaky(10, output=True))
    train(net, lambda net, x: snntorch_forward(net, x)[0], x_train, y_train)
    x = x_test[:, :40]
    with torch.no_grad():
        reference = snntorch_forward(net, x)[0].numpy()
    return read_snntorch(net), x.numpy(), reference


def test_spiking_graph_generates_a_genn_project_with_the_lag_compensated(genn_directory):
    """snnTorch MLP on 0/1 input spikes: the input is a SpikeGeneratorGroup (GeNN has no
    TimedArray), the hidden layer starts at depth 1 and the output layer at depth 2 (their
    updates and thresholds gated by the step), and the run lasts T + 2 steps."""
    from brian2 import Network
    graph, x, _ = trained_snntorch_mlp()
    built = build_graph(graph, x[:, :2], "", False, graph.dt, genn=True)
    assert built.depths == (1, 2) and built.extra_steps == 2
    Network(*built.objects, *built.spike_monitors.values()).run((x.shape[0] + 2) * graph.dt)
    code = (genn_directory / "magicnetwork_model.cpp").read_text()
    assert code.count("char _cond = ($(v) > $(theta)) && (_timestep(t, DT) >= $(onset));") == 2
    assert code.count("$(addToInSyn,$(w));") == 2  # input generator -> hidden, hidden -> output
    assert 'addNeuronPopulation<NeuronModels::SpikeSource>("input", 128' in code  # 2 samples x 64 inputs
    assert code.count("int_(_timestep(t, DT) >= $(onset))") == 2  # each layer's update of v (gated)


def test_trained_snntorch_network_runs_on_genn_like_snntorch(genn_installed):
    """The trained snnTorch MLP on GeNN's CPU backend, 40 digits x 25 steps: the output spike
    counts equal snnTorch's own forward pass for >= 99 % of the samples and the numpy target's
    same-step run for every sample (GeNN's lag of one step per layer compensated). About two
    minutes (one GeNN build)."""
    from neurodyn.convert import run_spiking
    graph, x, reference = trained_snntorch_mlp()
    genn = run_spiking(graph, x, layout="time_major", target="genn", use_gpu=False)
    runtime = run_spiking(graph, x, layout="time_major", target="numpy")
    expected = reference.sum(axis=0)
    assert expected.sum() / x.shape[1] > 3  # enough output spikes to compare
    identical = np.all(genn.output_counts == expected, axis=1)
    print(f"GeNN vs snnTorch: identical output counts for {identical.sum()}/{len(identical)} samples")
    assert identical.mean() >= 0.99
    np.testing.assert_array_equal(genn.output_counts, runtime.output_counts)
    for name in runtime.spikes:
        np.testing.assert_array_equal(genn.spikes[name], runtime.spikes[name])


def test_genn_refuses_what_the_lag_compensation_cannot_make_up():
    """Depths on GeNN: a chain fed 0/1 spikes gets depths 1, 2, 3; a projection that skips a
    layer or runs back from a deeper layer would need a delay and is refused by name, as are
    time-varying real-valued currents (before anything is built)."""
    from neurodyn.convert.spiking_graph import INPUT, Projection, make_graph, make_layer
    from neurodyn.convert.spiking_network import genn_depths
    from neurodyn.errors import TargetError

    def graph(extra):
        sources = [[INPUT], [0], [1, *extra]]
        layers = [make_layer(f"l{k}", 3, [Projection(s, np.ones((3, 3))) for s in sources[k]], 0.0, decay=0.5,
                             threshold=1.0) for k in range(3)]
        return make_graph((3,), layers, 1 * ms, "test")

    assert genn_depths(graph([]), "spikes") == (1, 2, 3)
    assert genn_depths(graph([]), "constant") == (0, 1, 2)
    assert genn_depths(graph([2]), "spikes") == (1, 2, 3)  # self-recurrent: no delay needed
    with pytest.raises(TargetError, match="projection from l0 to l2 would need a delay of 1 step"):
        genn_depths(graph([0]), "spikes")
    with pytest.raises(TargetError, match="has no TimedArray"):
        genn_depths(graph([]), "currents")
    layers = list(graph([]).layers)
    layers[0] = make_layer("l0", 3, [Projection(INPUT, np.ones((3, 3))), Projection(2, np.ones((3, 3)))], 0.0,
                           decay=0.5, threshold=1.0)
    with pytest.raises(TargetError, match="projection from l2 to l0 would need a delay of -2 step"):
        genn_depths(make_graph((3,), layers, 1 * ms, "test"), "spikes")
