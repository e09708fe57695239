"""Brunel & Hakim (1999): sparse inhibitory network of current-based LIF neurons with noise.

N. Brunel & V. Hakim, "Fast global oscillations in networks of integrate-and-fire neurons with
low firing rates", Neural Computation 11, 1621-1671 (1999); Brian2 example Brunel_Hakim_1999.

    tau dV/dt = -V + muext + sigmaext sqrt(tau) xi      V > theta: spike, V = Vr, refractory taurefr
    a spike lowers V of each target by J after delta     each pair connected with p = C / N
"""
from brian2 import NeuronGroup, PopulationRateMonitor, SpikeMonitor, Synapses, mV, ms

import neurodyn


@neurodyn.model
def brunel_hakim(N=5000,            # number of neurons
                 Vr=10 * mV,        # reset potential
                 theta=20 * mV,     # firing threshold
                 tau=20 * ms,       # membrane time constant
                 delta=2 * ms,      # synaptic delay
                 taurefr=2 * ms,    # refractory period
                 C=1000,            # mean number of inputs per neuron
                 J=0.1 * mV,        # jump of V per inhibitory spike
                 muext=25 * mV,     # mean external input
                 sigmaext=1 * mV):  # external noise amplitude
    sparseness = float(C) / N
    eqs = """
    dV/dt = (-V+muext + sigmaext * sqrt(tau) * xi)/tau : volt
    """
    group = NeuronGroup(N, eqs, threshold='V>theta', reset='V=Vr', refractory=taurefr, method='euler')
    group.V = Vr
    conn = Synapses(group, group, on_pre='V += -J', delay=delta)
    conn.connect(p=sparseness)
    M = SpikeMonitor(group)
    LFP = PopulationRateMonitor(group)
