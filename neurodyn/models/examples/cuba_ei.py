"""A current-based E/I network in two populations, ``exc`` and ``inh`` (after the CUBA benchmark
of Brette et al. 2007 / Vogels & Abbott 2005, with separate NeuronGroups and Poisson drive).

    taum dv/dt = (El - v) + ge + gi      ge, gi decay with taue, taui; v > Vt: spike, v = Vr
    a spike of exc (inh) raises ge (lowers gi) of its targets by we (wi); pairs connected with p
    every neuron gets n_ext Poisson inputs of rate rate_ext, each raising ge by we
"""
from brian2 import Hz, NeuronGroup, PoissonInput, Synapses, mV, ms

import neurodyn

EQUATIONS = """
dv/dt = (ge + gi - (v - El)) / taum : volt (unless refractory)
dge/dt = -ge / taue : volt
dgi/dt = -gi / taui : volt
"""


@neurodyn.model
def cuba_ei(N_exc=400,            # excitatory neurons
            N_inh=100,            # inhibitory neurons
            p=0.05,               # connection probability
            we=1.6 * mV,          # excitatory weight
            wi=-9 * mV,           # inhibitory weight
            n_ext=50,             # external Poisson inputs per neuron
            rate_ext=12 * Hz,     # rate of each external input
            taum=20 * ms,         # membrane time constant
            taue=5 * ms,          # excitatory synaptic time constant
            taui=10 * ms,         # inhibitory synaptic time constant
            Vt=-50 * mV,          # threshold
            Vr=-60 * mV,          # reset
            El=-49 * mV,          # resting potential
            rng=None):
    exc = NeuronGroup(N_exc, EQUATIONS, threshold='v > Vt', reset='v = Vr', refractory=5 * ms, method='exact')
    inh = NeuronGroup(N_inh, EQUATIONS, threshold='v > Vt', reset='v = Vr', refractory=5 * ms, method='exact')
    for group in (exc, inh):
        group.v = Vr + (Vt - Vr) * rng.random(len(group))
    synapses = []
    for source, on_pre in ((exc, 'ge += we'), (inh, 'gi += wi')):
        for target in (exc, inh):
            connection = Synapses(source, target, on_pre=on_pre)
            connection.connect(p=p)
            synapses.append(connection)
    drive = [PoissonInput(group, 'ge', n_ext, rate_ext, weight=we) for group in (exc, inh)]


def population_rates(result, t_start: float) -> dict:
    """Study analysis: mean rate (Hz) of each population from ``t_start`` (s) on, as columns
    ``exc_rate_hz`` and ``inh_rate_hz``."""
    rates = {}
    for name, size in result.populations:
        part = result.population(name)
        rates[f"{name}_rate_hz"] = float((part.spike_t >= t_start).sum()) / size / (result.t_stop - t_start)
    return rates
