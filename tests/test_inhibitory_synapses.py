"""Synaptic kicks and delays of the inhibitory network against exact traces and plain Brian2
(numpy target, a handful of neurons, tens of milliseconds)."""
import sys
from pathlib import Path

import numpy as np
import pytest
from brian2 import Network, NeuronGroup, SpikeMonitor, StateMonitor, Synapses, ms

from neurodyn import InhibitoryNetwork, simulate
from neurodyn.targets import target_device

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from plain_brian2 import plain_network  # noqa: E402

DT = 1e-4      # s
TAU_M = 10e-3  # s


def receiver_trace(I, v0, arrivals, kick, n_steps):
    """v of a neuron that never fires (I < 1): exact solution of tau_m dv/dt = I - v between kicks,
    v -> v - kick at every arrival step; value at the start of every step, as a StateMonitor reads it.

    ``arrivals`` are step indices k: the kick is included from the value at step k on.
    """
    decay = np.exp(-DT / TAU_M)
    v, trace = v0, np.empty(n_steps)
    arrivals = np.bincount(np.asarray(arrivals, dtype=int), minlength=n_steps + 1)
    for k in range(n_steps):
        v -= kick * arrivals[k]
        trace[k] = v
        v = I + (v - I) * decay
    return trace


@pytest.mark.parametrize("tau_d_ms", [0.5, 1.5])
def test_sparse_delta_kick_is_g_over_K_and_arrives_after_tau_d(tau_d_ms):
    """Sparse coupling (N = 6, K = 2), delta pulses: every spike of a presynaptic neuron lowers the
    potential of its targets by exactly g/K, tau_d after it. Neurons 4 and 5 (I < 1) never fire,
    so their recorded potential is the free relaxation minus the kicks of their two sources.

    Schedule (Brian2: groups, thresholds, synapses, resets): a spike recorded at step n (its time
    t_n) crossed threshold during the update to t_(n+1); with D = tau_d/dt steps of delay it is
    delivered at step n + D after that step's update, so the value read at step n + D + 1 is the
    first that includes it. A kick of g/N or one more step of delay changes the trace by g/K or
    by (g/K)(1 - exp(-dt/tau_m)) = 1e-3 g/K; the comparison is exact to rounding (1e-12).
    """
    g, K = 0.4, 2
    I = np.array([1.6, 1.5, 1.4, 1.3, 0.7, 0.5])
    model = InhibitoryNetwork(N=6, K=K, g=g, pulse="delta", excitabilities=I, tau_d=tau_d_ms * ms, seed=2)
    result = simulate(model, 60 * ms, target="numpy", record_v=[4, 5], progress=False)
    pre, post = model.connectivity()
    delay_steps = int(round(tau_d_ms * 1e-3 / DT))
    spike_step = np.round(result.spike_t / DT).astype(int)
    assert set(result.spike_i) == {0, 1, 2, 3}
    for row, receiver in enumerate([4, 5]):
        sources = pre[post == receiver]
        assert len(sources) == K
        arrivals = np.concatenate([spike_step[result.spike_i == source] for source in sources]) + delay_steps + 1
        assert np.any(np.isin(sources, [0, 1, 2, 3])), "at least one source fires"
        expected = receiver_trace(I[receiver], model.initial_potentials()[receiver], arrivals, g / K, 600)
        np.testing.assert_allclose(result.voltage.v[row], expected, rtol=0, atol=1e-12)


def delta_network_in_plain_brian2(I, v0, pre, post, g, K, tau_d):
    neurons = NeuronGroup(len(I), "dv/dt = (I_ext - v) / (10*ms) : 1\nI_ext : 1", threshold="v >= 1",
                          reset="v = 0", method="exact")
    neurons.I_ext, neurons.v = I, v0
    synapses = Synapses(neurons, neurons, on_pre=f"v_post -= {g / K!r}", delay=tau_d)
    synapses.connect(i=pre, j=post)
    spikes = SpikeMonitor(neurons)
    return Network(neurons, synapses, spikes), spikes


def test_sparse_delta_network_equals_plain_brian2():
    """N = 40, K = 8, delta pulses: the same spikes (neuron, step) as the network written in plain
    Brian2 with ``v_post -= g/K`` and the same connectivity, excitabilities and initial state."""
    model = InhibitoryNetwork(N=40, K=8, g=3.0, pulse="delta", I_l=1.1, I_u=1.8, tau_d=0.7 * ms, seed=5)
    result = simulate(model, 100 * ms, target="numpy", progress=False)
    pre, post = model.connectivity()
    with target_device("numpy", 0.1 * ms):
        network, spikes = delta_network_in_plain_brian2(model.excitabilities(), model.initial_potentials(), pre,
                                                        post, 3.0, 8, 0.7 * ms)
        network.run(100 * ms)
        plain_i, plain_t = np.asarray(spikes.i[:]), np.asarray(spikes.t_[:])
    assert len(plain_t) > 50                               # active: a few spikes per neuron
    np.testing.assert_array_equal(result.spike_i, plain_i)
    np.testing.assert_array_equal(np.round(result.spike_t / DT), np.round(plain_t / DT))


@pytest.mark.parametrize("K", [None, 10])
def test_alpha_network_equals_plain_brian2(K):
    """Alpha pulses, global (K = N, autapses) and sparse coupling: the same spikes as the plain
    Brian2 script of the benchmarks (``y_post += alpha/K`` after tau_d)."""
    model = InhibitoryNetwork(N=40, K=K, g=4.0, alpha=20.0, I_l=1.1, I_u=1.8, tau_d=0.6 * ms, seed=6)
    result = simulate(model, 100 * ms, target="numpy", progress=False)
    with target_device("numpy", 0.1 * ms):
        network, spikes = plain_network(model.excitabilities(), model.initial_potentials(), model.connectivity(),
                                        g=4.0, alpha=20.0, tau_m=10 * ms, tau_d=0.6 * ms,
                                        in_degree=model.in_degree)
        network.run(100 * ms)
        plain_i, plain_t = np.asarray(spikes.i[:]), np.asarray(spikes.t_[:])
    assert len(plain_t) > 50                               # active: a few spikes per neuron
    np.testing.assert_array_equal(result.spike_i, plain_i)
    np.testing.assert_array_equal(np.round(result.spike_t / DT), np.round(plain_t / DT))
