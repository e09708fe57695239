"""ANN -> SNN conversion with IF neurons (reset by subtraction): rates against ReLU, digits MLP."""
import numpy as np
import pytest
from brian2 import ms

from neurodyn.convert import ConversionError, DenseNetwork, convert, read_npz, run_converted
from neurodyn.convert.datasets import digits_split
from neurodyn.convert.spiking_network import build_graph
from neurodyn.targets import target_device

DIGITS_T = 50  # the T reported in the README for the digits MLP


def test_dense_if_layer_rates_equal_relu_over_theta_within_one_over_T():
    """Constant input to one dense layer: spikes / T = ReLU(Wx + b) / theta within 1/T, where the
    normalisation (100th percentile here, so that no neuron saturates) makes theta the layer's
    largest activation."""
    rng = np.random.default_rng(1)
    ann = DenseNetwork.from_arrays([rng.normal(0, 0.5, (40, 12))], [rng.normal(0, 0.2, 40)], ["relu"])
    x = rng.uniform(0, 1, (6, 12))
    net = convert(ann, x, readout="spikes", percentile=100)
    theta = net.layer_scales[0]
    expected = np.maximum(x @ ann.layers[0].weight.T + ann.layers[0].bias, 0) / theta
    assert 0.2 < expected.max() <= 1.0 and (expected == 0).sum() > 10
    for steps in (20, 97):
        run = run_converted(net, x, steps, target="numpy")
        rates = run.output_counts[steps - 1] / steps
        assert np.all(np.abs(rates - expected) <= 1.0 / steps + 1e-12)
    assert run.activity(97)["bits_per_activity"] == 1.0


def test_if_rate_saturates_at_one_spike_per_step():
    ann = DenseNetwork.from_arrays([np.array([[3.0]])], [np.zeros(1)], ["relu"])
    run = run_converted(convert(ann, percentile=None, readout="spikes"), np.ones((1, 1)), 10, target="numpy")
    assert run.output_counts[-1, 0, 0] == 10


@pytest.fixture(scope="module")
def digits():
    x_train, x_test, y_train, y_test = digits_split()
    return read_npz("data/digits_mlp.npz"), x_train, x_test, y_test


@pytest.mark.parametrize("encoding, readout", [("current", "potential"), ("current", "spikes"),
                                               ("poisson", "potential"), ("quantized", "potential")])
def test_digits_mlp_spiking_accuracy_within_one_point_of_the_ann(digits, encoding, readout):
    """The shipped MLP on the whole held-out split (360 images in one run): at T = 50 steps the
    IF network is within 1 percentage point of the ANN, for both readouts and every input
    encoding (Poisson with seed 0)."""
    ann, x_train, x_test, y_test = digits
    ann_accuracy = np.mean(ann.predict(x_test) == y_test)
    assert ann_accuracy > 0.95
    run = run_converted(convert(ann, x_train, encoding=encoding, readout=readout), x_test, DIGITS_T,
                        target="numpy", seed=0)
    assert abs(run.accuracy(y_test, DIGITS_T) - ann_accuracy) <= 0.01
    activity = run.activity(DIGITS_T)
    assert 0 < activity["spikes_per_neuron_per_step"] < 1
    # synaptic operations: (encoder spikes x 64 hidden) + hidden spikes x 10 outputs (+ output spikes x 0)
    events = {layer.name: layer.events[:DIGITS_T].sum() for layer in run.layers}
    expected = (events.get("input", 0) * 64 + events["layer0"] * 10) / len(x_test)
    assert activity["synops_per_inference"] == pytest.approx(expected) and expected > 1000


def test_potential_readout_integrates_the_normalised_ann_output(digits):
    """With a non-spiking readout, the membrane after T steps is the sum over steps of
    W_out' r_hidden + b_out', so (v_T - v_{T-1}) averaged over late steps tends to the
    normalised ANN logits (within the rate error 1/T of the hidden layer times |W|)."""
    ann, x_train, x_test, _ = digits
    net = convert(ann, x_train)
    steps = 200
    run = run_converted(net, x_test[:20], steps, target="numpy")
    logits = ann.activations(x_test[:20])[-1] / net.layer_scales[-1]
    estimate = (run.potential[-1] - run.potential[0]) / (steps - 1)
    bound = np.abs(net.weights[-1]).sum(axis=1) * 2.0 / (steps - 1)
    assert np.all(np.abs(estimate - logits) <= bound)


def test_conversion_refuses_bad_choices(digits):
    ann, x_train, _, _ = digits
    with pytest.raises(ConversionError, match="unknown neuron 'lif'"):
        convert(ann, x_train, neuron="lif")
    with pytest.raises(ConversionError, match="calibration inputs"):
        convert(ann)
    with pytest.raises(ConversionError, match="dt needs a positive unit of time"):
        convert(ann, x_train, dt=1.0)
    with pytest.raises(ConversionError, match=r"inputs must have shape \(n_samples, 64\), got \(3, 5\)"):
        run_converted(convert(ann, x_train), np.zeros((3, 5)), 5, target="numpy")
    with pytest.raises(ConversionError, match="T must be between 1 and the simulated 5 steps"):
        run_converted(convert(ann, x_train, dt=1 * ms), x_train[:2], 5, target="numpy").accuracy([0, 0], 6)


def test_digits_cnn_converts_with_sparse_synapses(digits):
    """The shipped CNN (studies/train_digits.py --cnn; conv 3x3x8 -> ReLU -> avg-pool -> linear,
    stored as dense equivalents): one synapse per non-zero weight and sample, and at T = 50 the
    IF network is within 1 point of the ANN on the held-out split."""
    _, x_train, x_test, y_test = digits
    cnn = read_npz("data/digits_cnn.npz")
    ann_accuracy = np.mean(cnn.predict(x_test) == y_test)
    net = convert(cnn, x_train, readout="spikes")
    run = run_converted(net, x_test, DIGITS_T, target="numpy")
    assert abs(run.accuracy(y_test, DIGITS_T) - ann_accuracy) <= 0.01
    with target_device("numpy", net.dt):
        built = build_graph(net.graph(), net.encoded_inputs(x_test[:3])[None], "", False, net.dt)
        synapses = [obj for obj in built.objects if obj.name == "synapses1_0"][0]
        assert len(synapses) == 3 * np.count_nonzero(net.weights[1])
    assert np.count_nonzero(cnn.layers[0].weight) < 0.2 * cnn.layers[0].weight.size
