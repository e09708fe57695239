"""ANN -> SNN conversion with EI neurons (neuron="ei"): signed spikes for linear layers."""
import importlib.util
from pathlib import Path

import numpy as np
import pytest

from neurodyn.convert import ConversionError, DenseNetwork, convert, read_npz, run_converted
from neurodyn.convert.datasets import digits_split

DIGITS_T = 50  # the T reported in the README
ROOT = Path(__file__).resolve().parents[1]


def signed_network(seed=5):
    """Linear (EI) -> ReLU (IF) -> linear (EI) network of random weights, converted with EI
    neurons and a spiking readout, and 8 inputs in [-1, 1]."""
    rng = np.random.default_rng(seed)
    sizes = (6, 12, 10, 4)
    ann = DenseNetwork.from_arrays([rng.normal(0, 0.6, (n_out, n_in)) for n_in, n_out in zip(sizes, sizes[1:])],
                                   [rng.normal(0, 0.2, n_out) for n_out in sizes[1:]], ["linear", "relu", "linear"])
    x = rng.uniform(-1, 1, (8, 6))
    return convert(ann, x, neuron="ei", readout="spikes"), x


def test_dense_ei_layer_signed_rates_equal_linear_over_theta_within_one_over_T():
    """Constant input to one linear dense layer whose pre-activations have both signs: the signed
    spike count / T equals (Wx + b) / theta within 1/T for every unit, where theta is the 100th
    percentile of |Wx + b| (so that no unit saturates)."""
    rng = np.random.default_rng(2)
    weight, bias = rng.normal(0, 0.5, (40, 12)), rng.normal(0, 0.2, 40)
    x = rng.uniform(0, 1, (6, 12))
    net = convert(DenseNetwork.from_arrays([weight], [bias], ["linear"]), x, neuron="ei", readout="spikes",
                  percentile=100)
    z = x @ weight.T + bias
    assert net.layer_scales[0] == pytest.approx(np.abs(z).max())
    expected = z / np.abs(z).max()
    assert (expected > 0.2).sum() > 20 and (expected < -0.2).sum() > 20
    for steps in (20, 97):
        rates = run_converted(net, x, steps, target="numpy").output_counts[steps - 1] / steps
        assert np.all(np.abs(rates - expected) <= 1.0 / steps + 1e-12)
        clear = np.abs(expected) > 1.0 / steps
        assert np.all(np.sign(rates[clear]) == np.sign(expected[clear]))


def test_ei_rate_saturates_at_one_spike_per_step_of_either_sign():
    ann = DenseNetwork.from_arrays([np.array([[3.0], [-3.0], [0.0]])], [np.zeros(3)], ["linear"])
    run = run_converted(convert(ann, percentile=None, neuron="ei", readout="spikes"), np.ones((1, 1)), 10,
                        target="numpy")
    assert run.output_counts[-1, 0].tolist() == [10, -10, 0]
    assert run.activity(10)["bits_per_activity"] == 2.0  # one spike and its sign


def test_signed_layers_normalise_by_the_percentile_of_the_absolute_activation():
    rng = np.random.default_rng(3)
    ann = DenseNetwork.from_arrays([rng.normal(size=(8, 5)), rng.normal(size=(3, 8))], [np.zeros(8), np.zeros(3)],
                                   ["linear", "linear"])
    x = rng.uniform(-1, 1, (200, 5))
    hidden = x @ ann.layers[0].weight.T
    net = convert(ann, x, neuron="ei", percentile=90)
    assert net.layer_neurons == ("ei", "ei")
    assert net.layer_scales[0] == pytest.approx(np.percentile(np.abs(hidden), 90))
    assert net.layer_scales[0] != pytest.approx(np.percentile(hidden[hidden > 0], 90), rel=0.01)  # not positives only
    relu = DenseNetwork.from_arrays([np.eye(2), np.eye(2)], [np.zeros(2), np.zeros(2)])
    assert convert(relu, np.array([[1.0, -1.0]]), neuron="ei", percentile=None).layer_neurons == ("if", "ei")


def test_two_layer_network_with_linear_hidden_layer_gives_the_ann_predictions():
    """Linear hidden layer (EI neurons) -> membrane readout, random weights and inputs. With
    theta at max |hidden| (percentile 100) every hidden count is z T - v with |v| < 1, so the
    readout's v_T / T is W1' z' + b1' within max_c sum_j |W1'_cj| / T: a NumPy oracle of the ANN,
    scaled by lambda_2, must lie within that bound, and every sample whose oracle margin exceeds
    twice the bound gets the ANN's class."""
    rng = np.random.default_rng(4)
    w0, b0 = rng.normal(0, 0.6, (12, 8)), rng.normal(0, 0.3, 12)
    w1, b1 = rng.normal(0, 0.6, (4, 12)), rng.normal(0, 0.3, 4)
    x = rng.uniform(-1, 1, (60, 8))
    ann = DenseNetwork.from_arrays([w0, w1], [b0, b1], ["linear", "linear"])
    with pytest.raises(ConversionError, match="neuron='ei' represents signed"):
        convert(ann, x)
    net = convert(ann, x, neuron="ei", percentile=100)
    hidden = x @ w0.T + b0
    assert (hidden > 0).mean() > 0.3 and (hidden < 0).mean() > 0.3
    oracle = (hidden @ w1.T + b1) / net.layer_scales[-1]
    steps = 200
    run = run_converted(net, x, steps, target="numpy")
    bound = np.abs(net.weights[-1]).sum(axis=1).max() / steps
    assert np.all(np.abs(run.potential[-1] / steps - oracle) <= bound + 1e-12)
    ordered = np.sort(oracle, axis=1)
    clear = ordered[:, -1] - ordered[:, -2] > 2 * bound
    assert clear.mean() > 0.9
    np.testing.assert_array_equal(run.predictions(steps)[clear], np.argmax(oracle, axis=1)[clear])


@pytest.fixture(scope="module")
def digits():
    return digits_split()


def train_linear_hidden():
    """studies/train_linear_hidden.py, imported from its file (a script, not a package module)."""
    spec = importlib.util.spec_from_file_location("train_linear_hidden", ROOT / "studies" / "train_linear_hidden.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_shipped_linear_hidden_network_is_what_its_script_trains(digits):
    """data/digits_linear_hidden.npz (the README's conversion example) equals a fresh run of
    studies/train_linear_hidden.py: the same end-to-end map W1 W0 (the split between the layers
    is fixed only up to the signs of singular vectors) and biases, both layers linear."""
    x_train, _, y_train, _ = digits
    fresh = train_linear_hidden().linear_bottleneck_classifier(x_train, y_train)
    shipped = read_npz(ROOT / "data" / "digits_linear_hidden.npz")
    assert [layer.activation for layer in shipped.layers] == ["linear", "linear"]
    assert [layer.weight.shape for layer in shipped.layers] == [(10, 64), (10, 10)]
    end_to_end = lambda net: net.layers[1].weight @ net.layers[0].weight  # noqa: E731
    np.testing.assert_allclose(end_to_end(shipped), end_to_end(fresh), atol=1e-12)
    np.testing.assert_allclose(shipped.layers[1].weight @ shipped.layers[0].bias + shipped.layers[1].bias,
                               fresh.layers[1].weight @ fresh.layers[0].bias + fresh.layers[1].bias, atol=1e-12)


def test_digits_with_linear_hidden_layer_within_one_point_of_the_ann(digits):
    """The shipped NumPy-trained linear-bottleneck classifier on the held-out split (360 images,
    one run): at T = 50 the EI network is within 1 point of the ANN, and the hidden layer spikes
    with both signs."""
    x_train, x_test, y_train, y_test = digits
    ann = read_npz(ROOT / "data" / "digits_linear_hidden.npz")
    ann_accuracy = np.mean(ann.predict(x_test) == y_test)
    assert ann_accuracy > 0.9
    run = run_converted(convert(ann, x_train, neuron="ei"), x_test, DIGITS_T, target="numpy")
    assert abs(run.accuracy(y_test, DIGITS_T) - ann_accuracy) <= 0.01
    assert run.activity(DIGITS_T)["bits_per_activity"] == 2.0


def test_digits_mlp_with_signed_spiking_output_within_one_point_of_the_ann(digits):
    """The shipped ReLU MLP with neuron="ei" and spike readout: IF hidden layer, EI output whose
    signed counts represent negative logits too; within 1 point of the ANN at T = 50."""
    x_train, x_test, _, y_test = digits
    ann = read_npz("data/digits_mlp.npz")
    net = convert(ann, x_train, neuron="ei", readout="spikes")
    assert net.layer_neurons == ("if", "ei")
    run = run_converted(net, x_test, DIGITS_T, target="numpy")
    assert abs(run.accuracy(y_test, DIGITS_T) - np.mean(ann.predict(x_test) == y_test)) <= 0.01
    assert (run.output_counts[-1] < 0).mean() > 0.5  # most logits are negative, and so are their counts


def test_bad_neuron_and_activation_are_refused(tmp_path):
    ann = DenseNetwork.from_arrays([np.ones((2, 2))], [np.zeros(2)])
    with pytest.raises(ConversionError, match="unknown neuron 'signed'; choose one of if, quantized, ei"):
        convert(ann, percentile=None, neuron="signed")
    np.savez(tmp_path / "tanh.npz", layer0_weight=np.ones((3, 2)), layer0_activation=np.array("tanh"),
             layer1_weight=np.ones((1, 3)))
    with pytest.raises(ConversionError, match=r"layer0: unsupported activation 'tanh'; supported: relu, linear"):
        read_npz(tmp_path / "tanh.npz")
    with pytest.raises(ConversionError, match="layer0: no non-zero activation"):
        convert(DenseNetwork.from_arrays([np.zeros((2, 2))], [np.zeros(2)]), np.ones((3, 2)), neuron="ei")


def test_ei_network_is_identical_on_numpy_and_cpp_standalone():
    """EI -> IF -> EI: the same signed counts, membranes and spike events on both targets, so the
    order of reset, sign copy and delivery holds in the generated C++ too."""
    net, x = signed_network()
    runs = [run_converted(net, x, 40, target=target) for target in ("numpy", "cpp_standalone")]
    assert (runs[0].output_counts[-1] < 0).any() and (runs[0].output_counts[-1] > 0).any()
    np.testing.assert_array_equal(runs[0].output_counts, runs[1].output_counts)
    np.testing.assert_allclose(runs[0].potential, runs[1].potential, rtol=1e-12, atol=1e-12)
    for numpy_layer, standalone_layer in zip(runs[0].layers, runs[1].layers):
        assert numpy_layer.events.sum() > 50
        np.testing.assert_array_equal(numpy_layer.events, standalone_layer.events)
