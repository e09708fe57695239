"""A converted network gives the same result on the runtime and as a C++ standalone program."""
import numpy as np
from brian2 import second

from neurodyn.convert import convert, read_npz, run_converted
from neurodyn.convert.datasets import digits_split


def test_quantized_network_is_identical_on_numpy_and_cpp_standalone():
    """Quantized encoder -> quantized hidden layer (multi-bit spikes, count copied per synapse,
    reset reordered) -> spiking readout: the same counts and membranes on both targets, so the
    order of reset, copy and delivery holds in the generated C++ too."""
    ann = read_npz("data/digits_mlp.npz")
    _, x_test, _, _ = digits_split()
    net = convert(ann, percentile=None, neuron="quantized", encoding="quantized", readout="spikes", dt=1 * second)
    runs = [run_converted(net, x_test[:8], 12, target=target) for target in ("numpy", "cpp_standalone")]
    assert runs[0].activity(12)["bits_per_activity"] > 1.2
    np.testing.assert_array_equal(runs[0].output_counts, runs[1].output_counts)
    np.testing.assert_allclose(runs[0].potential, runs[1].potential, rtol=1e-12, atol=1e-12)
    for numpy_layer, standalone_layer in zip(runs[0].layers, runs[1].layers):
        np.testing.assert_array_equal(numpy_layer.quanta, standalone_layer.quanta)
