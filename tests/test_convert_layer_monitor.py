"""layer_monitor (neurodyn.convert.neurons): what each recorded spike carries, against the quanta
and signs worked out by hand for constant drives (numpy target, one neuron per layer, 8 steps)."""
import numpy as np
import pytest
from brian2 import Hz, Network, defaultclock, ms, prefs

from neurodyn.convert.neurons import EI_LAYER_VALUES, ann_neuron_model, layer_monitor
from neurodyn.models.eicil import RESET_ORDER


@pytest.fixture
def numpy_target():
    target, dt = prefs.codegen.target, defaultclock.dt
    prefs.codegen.target, defaultclock.dt = "numpy", 1 * ms
    yield
    prefs.codegen.target, defaultclock.dt = target, dt


def run(group, monitor, steps=8):
    Network(group, monitor).run(steps * ms, namespace={})
    return np.round(np.asarray(monitor.t / ms)).astype(int), monitor


def test_count_monitor_records_the_quanta_after_the_reset(numpy_target):
    """Quantized neuron, drive 2500 Hz, amplitude 1, dt = 1 ms: v gains 2.5 per step, so it fires
    every step with n = floor(v) = 2, 3, 2, 3, ... (v = 2.5 -> 0.5 -> 3.0 -> 0 -> ...); recorded
    after the reset sets n (the LMU places its reset in the thresholds slot, as here), the counts
    sum to 2.5 per step. Before the reset the monitor would see the previous step's n (0, 2, 3, ...)."""
    group = ann_neuron_model("quantized", spiking=True).build(1, "quantized_layer", {"amplitude": 1.0,
                                                                                    "drive": 2500 * Hz})
    group.resetter["spike"].when, group.resetter["spike"].order = "thresholds", RESET_ORDER
    monitor = layer_monitor(group, "count", "layer_spikes")
    assert monitor.name == "layer_spikes" and monitor.record_variables == {"i", "t", "n"}
    steps, monitor = run(group, monitor)
    assert list(steps) == list(range(8))
    assert list(np.asarray(monitor.n)) == [2, 3] * 4


def test_sign_monitor_records_the_sign_of_each_spike(numpy_target):
    """EI neuron (thresholds +-1, inhibition on), drive x = -500 Hz, dt = 1 ms: v loses 0.5 per
    step (exact binary sums) and reaches -1 at steps 1, 3, 5, 7, each spike with sign -1; a
    positive drive gives the same steps with sign +1."""
    for drive, sign in ((-500, -1), (500, 1)):
        group = ann_neuron_model("ei", spiking=True).build(1, "ei_layer", {**EI_LAYER_VALUES, "x": drive * Hz})
        group.resetter["spike"].when, group.resetter["spike"].order = "thresholds", RESET_ORDER  # as EICIL groups
        monitor = layer_monitor(group, "sign", "ei_spikes")
        assert monitor.name == "ei_spikes" and monitor.record_variables == {"i", "t", "s"}
        steps, monitor = run(group, monitor)
        assert list(steps) == [1, 3, 5, 7]
        assert np.all(np.asarray(monitor.s) == sign)


def test_spike_monitor_of_an_if_layer_records_spike_times_only(numpy_target):
    """IF neuron, drive 500 Hz, theta 1, dt = 1 ms: v gains 0.5 per step (exact binary sums) and
    reaches 1 at steps 1, 3, 5, 7; a plain SpikeMonitor, nothing else recorded."""
    group = ann_neuron_model("if", spiking=True).build(1, "if_layer", {"drive": 500 * Hz, "theta": 1.0})
    monitor = layer_monitor(group, "spike", "if_spikes")
    assert monitor.name == "if_spikes" and monitor.record_variables == {"i", "t"}
    steps, monitor = run(group, monitor)
    assert list(steps) == [1, 3, 5, 7]
