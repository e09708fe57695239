"""The quantized multi-bit neuron (temporally diffused error) as a Brian2 network."""
import numpy as np
import pytest
from brian2 import Network, NeuronGroup, SpikeMonitor, ms, second

from neurodyn.convert import DenseNetwork, convert, read_npz, run_converted
from neurodyn.convert.datasets import digits_split
from neurodyn.convert.spiking_network import run_spiking
from neurodyn.targets import target_device


@pytest.mark.parametrize("amplitude", [1.0, 0.25])
def test_summed_output_equals_integral_of_constant_activation_within_one_quantum(amplitude):
    """One quantized layer with constant input activation z (Hz): amplitude * sum(n) over T
    steps equals T dt ReLU(z) within one quantum (amplitude), including several quanta per step."""
    rng = np.random.default_rng(3)
    ann = DenseNetwork.from_arrays([rng.normal(0, 2000, (30, 5))], [rng.normal(0, 1000, 30)], ["relu"])
    x = rng.uniform(0, 1, (4, 5))
    net = convert(ann, percentile=None, neuron="quantized", readout="spikes", dt=1 * ms, amplitude=amplitude)
    steps = 73
    run = run_converted(net, x, steps, target="numpy")
    integral = steps * 1e-3 * np.maximum(ann.activations(x)[-1], 0)
    assert integral.max() / steps > 2 * amplitude  # several quanta in one step: multi-bit spikes
    error = amplitude * run.output_counts[-1] - integral
    assert np.all(error <= 1e-9) and np.all(error > -amplitude)
    assert run.activity(steps)["bits_per_activity"] > 1


def test_summed_output_equals_integral_of_time_varying_activation():
    """Poisson spikes -> quantized neuron: x[t] = b + sum_j w_j s_j[t] / dt changes every step;
    amplitude * sum(n) equals sum_t dt ReLU(x[t]) within one quantum (x from the recorded
    input spikes of the same step: same-step propagation)."""
    rng = np.random.default_rng(4)
    n_in, steps, dt = 8, 200, 1e-3
    weight = rng.normal(0, 2.0, (3, n_in))
    bias = np.array([300.0, -200.0, 50.0])
    ann = DenseNetwork.from_arrays([weight], [bias], ["relu"])
    net = convert(ann, percentile=None, neuron="quantized", encoding="poisson", readout="spikes",
                  dt=dt * second, amplitude=0.5)
    x = rng.uniform(100, 900, (1, n_in))  # input rates in Hz
    run = run_spiking(net.graph(), np.broadcast_to(net.encoded_inputs(x), (steps, 1, n_in)), layout="time_major",
                      seed=0)
    spikes = run.spikes["input"][:, 0]  # (steps, n_in)
    assert spikes.sum() > 500
    drive = bias + spikes @ weight.T / dt  # x[t], (steps, 3)
    integral = dt * np.maximum(drive, 0).sum(axis=0)
    total = 0.5 * run.spikes["layer0"][:, 0].sum(axis=0)
    assert np.all(total <= integral + 1e-9) and np.all(total > integral - 0.5)


def test_large_dt_reproduces_the_ann_output():
    """dt = 10^6 s: quanta of 10^-6 Hz, so the readout's increment per step, (v_k - v_{k-1}) / dt,
    is the ANN output of the digits MLP (from the first step on: same-step propagation)."""
    _, x_test, _, _ = digits_split()
    ann = read_npz("data/digits_mlp.npz")
    x = x_test[:40]
    net = convert(ann, percentile=None, neuron="quantized", dt=1e6 * second)
    run = run_converted(net, x, 3, target="numpy")
    increments = np.diff(run.potential, axis=0, prepend=0) / 1e6
    logits = ann.activations(x)[-1]
    bound = np.abs(ann.layers[-1].weight).sum(axis=1) * 1e-6
    assert np.all(np.abs(increments - logits) <= bound)
    assert np.array_equal(run.predictions(3), ann.predict(x))


def test_quantized_neuron_equals_a_plain_brian2_script():
    """The neurodyn group (reset in the thresholds slot, count copied per synapse) gives the same
    counts as a plain Brian2 script of the same equations written the obvious way."""
    drive = np.array([130.0, 1700.0, 2600.0, -50.0])
    ann = DenseNetwork.from_arrays([np.eye(4)], [np.zeros(4)], ["relu"])
    net = convert(ann, percentile=None, neuron="quantized", readout="spikes", amplitude=1.0)
    run = run_converted(net, drive[None, :], 40, target="numpy")
    with target_device("numpy", 1 * ms):
        group = NeuronGroup(4, "dv/dt = clip(z, 0*Hz, inf*Hz) : 1\nz : Hz\nn : 1", threshold="v >= 1",
                            reset="n = floor(v)\nv -= n", method="euler")
        group.z = drive * (1 / second)
        monitor = SpikeMonitor(group, variables=["n"], when="end")
        Network(group, monitor).run(40 * ms)
        counts = np.bincount(monitor.i, weights=monitor.n, minlength=4)
    np.testing.assert_array_equal(run.output_counts[-1, 0], counts)
