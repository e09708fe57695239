"""neurodyn's C++ standalone device (neurodyn.fast_standalone) against plain Brian2 standalone.

One network exercises what the device replaces: a threshold with random numbers and
refractoriness (the block-mask thresholder must evaluate each neuron once, in order), N not a
multiple of the block size, synapses with heterogeneous delays and several per source, and a
homogeneous delay (the compressed spike queue). Its spike trains must equal plain Brian2's, in the
monitor's order, with and without OpenMP. Each case compiles two standalone programs (~10 s each).
"""
from contextlib import contextmanager

import numpy as np
import pytest
from brian2 import (Network, NeuronGroup, SpikeMonitor, Synapses, device, ms, prefs, second, seed,
                    set_device)

from neurodyn.fast_standalone import DEVICE_NAME

N = 203  # three full blocks of 64 and a partial one


@contextmanager
def standalone(device_name: str, directory, threads: int = 0, maximum_run_time=None):
    """Build and run on ``device_name`` in ``directory`` inside the block; afterwards the runtime
    device again, without OpenMP threads or a maximum run time."""
    set_device(device_name, directory=str(directory), build_on_run=True)
    prefs.devices.cpp_standalone.openmp_threads = threads
    device._set_maximum_run_time(maximum_run_time)
    try:
        yield
    finally:
        device._set_maximum_run_time(None)
        device.reinit()
        prefs.devices.cpp_standalone.openmp_threads = 0
        set_device("runtime")


def spike_trains(device_name: str, directory, threads: int = 0, maximum_run_time=None):
    """``(i, t in steps, completed fraction)`` of the test network built on ``device_name``."""
    with standalone(device_name, directory, threads, maximum_run_time):
        seed(11)
        neurons = NeuronGroup(N, """dv/dt = (I - v) / (10*ms) : 1 (unless refractory)
                                    I : 1 (constant)""",
                              threshold="v > 1 or rand() < 0.002", reset="v = 0", refractory=2 * ms,
                              method="exact", name="neurons")
        neurons.v = "rand()"
        neurons.I = "0.8 + 0.5 * i / N"
        sparse = Synapses(neurons, neurons, "w : 1", on_pre="v_post -= w", name="sparse")
        sparse.connect(p=0.1)
        sparse.w = "0.1 * rand()"
        sparse.delay = "0.1*ms + 3*ms*rand()"
        ring = Synapses(neurons, neurons, on_pre="v_post += 0.02", delay=1.5 * ms, name="ring")
        ring.connect(j="k for k in range(i + 1, i + 4) if k < N")
        spikes = SpikeMonitor(neurons)
        network = Network(neurons, sparse, ring, spikes)
        network.run(20 * second if maximum_run_time else 300 * ms)
        steps = np.round(np.asarray(spikes.t[:] / (0.1 * ms))).astype(np.int64)
        return np.asarray(spikes.i[:]), steps, device._last_run_completed_fraction


@pytest.mark.parametrize("threads", [0, 2])
def test_same_spikes_as_plain_brian2_standalone(tmp_path, threads):
    plain_i, plain_t, _ = spike_trains("cpp_standalone", tmp_path / "plain", threads)
    fast_i, fast_t, _ = spike_trains(DEVICE_NAME, tmp_path / "fast", threads)
    assert len(plain_i) > 1000 and len(np.unique(plain_i)) > 0.9 * N
    np.testing.assert_array_equal(fast_i, plain_i)
    np.testing.assert_array_equal(fast_t, plain_t)
    # the program is neurodyn's: block-mask thresholder, compressed spike queue, huge-page arrays,
    # clock after the loop
    thresholder, = (tmp_path / "fast" / "code_objects").glob("neurons_spike_thresholder_codeobject*.cpp")
    assert "_block_events" in thresholder.read_text()
    assert "synapse_ids" in (tmp_path / "fast" / "brianlib" / "spikequeue.h").read_text()
    assert "= neurodyn_new_array<double>(203);" in (tmp_path / "fast" / "objects.cpp").read_text()
    network = (tmp_path / "fast" / "network.cpp").read_text()
    to_clock_read = network[network.index("while(clock && clock->running())"):network.index("elapsed_realtime =")]
    assert to_clock_read.count("}") == to_clock_read.count("{"), "the clock is read inside the loop"


def test_maximum_run_time_still_stops_the_run(tmp_path):
    """With a maximum run time the loop reads the clock every step again, as Brian2's does."""
    _, _, completed = spike_trains(DEVICE_NAME, tmp_path / "fast", maximum_run_time=0.05 * second)
    assert 0 < completed < 1


def large_group_spikes(device_name: str, directory):
    """Spikes of 300,000 uncoupled LIF neurons (v, I: 2.4 MB each, on huge pages on neurodyn's
    device) in 2 ms."""
    with standalone(device_name, directory):
        neurons = NeuronGroup(300_000, "dv/dt = (I - v) / (10*ms) : 1\nI : 1 (constant)", threshold="v > 1",
                              reset="v = 0", method="exact", name="neurons")
        neurons.v = "0.99 * i / N"
        neurons.I = "1.5"
        spikes = SpikeMonitor(neurons)
        Network(neurons, spikes).run(2 * ms)
        return np.asarray(spikes.i[:]), np.asarray(spikes.t[:] / ms)


def test_arrays_on_huge_pages_hold_the_same_state(tmp_path):
    plain_i, plain_t = large_group_spikes("cpp_standalone", tmp_path / "plain")
    fast_i, fast_t = large_group_spikes(DEVICE_NAME, tmp_path / "fast")
    assert 1000 < len(plain_i) < 300_000
    np.testing.assert_array_equal(fast_i, plain_i)
    np.testing.assert_array_equal(fast_t, plain_t)
    assert "= neurodyn_new_array<double>(300000);" in (tmp_path / "fast" / "objects.cpp").read_text()
