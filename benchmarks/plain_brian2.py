"""The delayed inhibitory network written directly in plain Brian2, as a user's script would.

The reference for neurodyn's overhead (bench_overhead.py) and the plain-Brian2 contender
of the suite (bench_network.py)::

    tau_m dv/dt = I_ext - v - g x,   tau_m dx/dt = alpha (y - x),   tau_m dy/dt = -alpha y
    v >= 1 -> v = 0;   on_pre (after tau_d): y_post += alpha / K
"""
from __future__ import annotations

import numpy as np
from brian2 import Network, NeuronGroup, SpikeMonitor, Synapses


def plain_network(I, v0, connections, *, g, alpha, tau_m, tau_d, in_degree) -> tuple[Network, SpikeMonitor]:
    """Build the network with excitabilities ``I``, initial potentials ``v0`` and
    ``connections = (pre, post)`` (``None``: all-to-all); ``tau_m``, ``tau_d`` are Brian2
    quantities. Returns the network and its spike monitor. The objects are named as Brian2
    names them in a fresh process, so that a standalone build directory reused in one
    process sees unchanged code and is not recompiled."""
    namespace = {"g": g, "alpha": alpha, "tau_m": tau_m, "in_degree": in_degree}
    neurons = NeuronGroup(len(I), """
        dv/dt = (I_ext - v - g*x) / tau_m : 1
        dx/dt = alpha * (y - x) / tau_m : 1
        dy/dt = -alpha * y / tau_m : 1
        I_ext : 1 (constant)
        """, threshold="v >= 1", reset="v = 0", method="exact", namespace=namespace,
                          name="neurongroup")
    neurons.I_ext = np.asarray(I)
    neurons.v = np.asarray(v0)
    synapses = Synapses(neurons, neurons, on_pre="y_post += alpha / in_degree", delay=tau_d, namespace=namespace,
                        name="synapses")
    if connections is None:
        synapses.connect()
    else:
        synapses.connect(i=connections[0], j=connections[1])
    spikes = SpikeMonitor(neurons, name="spikemonitor")
    return Network(neurons, synapses, spikes), spikes


def plain_brunel_hakim(N: int, seed_value: int) -> tuple[Network, SpikeMonitor]:
    """Brian2's Brunel & Hakim (1999) example as its script builds it (C = 1000 inputs on average,
    noise, refractoriness, delay), seeded with ``seed_value``; the reference of the user-model
    case of bench_overhead.py (neurodyn's version: neurodyn.models.examples.brunel_hakim)."""
    from brian2 import PopulationRateMonitor, mV, ms, seed

    seed(seed_value)
    Vr, theta, tau, delta, taurefr = 10 * mV, 20 * mV, 20 * ms, 2 * ms, 2 * ms
    C, J, muext, sigmaext = 1000, 0.1 * mV, 25 * mV, 1 * mV
    namespace = {"Vr": Vr, "theta": theta, "tau": tau, "J": J, "muext": muext, "sigmaext": sigmaext}
    group = NeuronGroup(N, "dV/dt = (-V+muext + sigmaext * sqrt(tau) * xi)/tau : volt", threshold="V>theta",
                        reset="V=Vr", refractory=taurefr, method="euler", namespace=namespace)
    group.V = Vr
    conn = Synapses(group, group, on_pre="V += -J", delay=delta, namespace=namespace)
    conn.connect(p=float(C) / N)
    spikes = SpikeMonitor(group)
    return Network(group, conn, spikes, PopulationRateMonitor(group)), spikes
