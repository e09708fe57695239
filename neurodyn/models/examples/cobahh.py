"""COBAHH: random network of Hodgkin-Huxley neurons with exponential synaptic conductances.

Benchmark 3 of R. Brette et al., "Simulation of networks of spiking neurons: a review of tools
and strategies", J. Comput. Neurosci. 23, 349-398 (2007); Brian2 example COBAHH.

    Cm dv/dt = gl (El - v) + ge (Ee - v) + gi (Ei - v) - g_na m^3 h (v - ENa) - g_kd n^4 (v - EK)
    dge/dt = -ge / taue,  dgi/dt = -gi / taui        a spike of an excitatory (inhibitory) neuron
    m, n, h: Traub-Miles kinetics                      raises ge (gi) of its targets by we (wi)
"""
from brian2 import Equations, NeuronGroup, StateMonitor, Synapses, cm, mV, ms, msiemens, nS, siemens, ufarad, umetre

import neurodyn


@neurodyn.model
def cobahh(N=4000,                  # number of neurons
           N_e=3200,                # of which excitatory (the rest inhibitory)
           p=0.02,                  # connection probability
           area=20000 * umetre**2,  # membrane area
           El=-60 * mV,             # leak reversal potential
           EK=-90 * mV,             # potassium reversal potential
           ENa=50 * mV,             # sodium reversal potential
           VT=-63 * mV,             # threshold offset of the kinetics
           taue=5 * ms,             # excitatory conductance decay
           taui=10 * ms,            # inhibitory conductance decay
           Ee=0 * mV,               # excitatory reversal potential
           Ei=-80 * mV,             # inhibitory reversal potential
           we=6 * nS,               # excitatory synaptic weight
           wi=67 * nS):             # inhibitory synaptic weight
    Cm = (1*ufarad*cm**-2) * area
    gl = (5e-5*siemens*cm**-2) * area
    g_na = (100*msiemens*cm**-2) * area
    g_kd = (30*msiemens*cm**-2) * area
    eqs = Equations('''
    dv/dt = (gl*(El-v)+ge*(Ee-v)+gi*(Ei-v)-
             g_na*(m*m*m)*h*(v-ENa)-
             g_kd*(n*n*n*n)*(v-EK))/Cm : volt
    dm/dt = alpha_m*(1-m)-beta_m*m : 1
    dn/dt = alpha_n*(1-n)-beta_n*n : 1
    dh/dt = alpha_h*(1-h)-beta_h*h : 1
    dge/dt = -ge*(1./taue) : siemens
    dgi/dt = -gi*(1./taui) : siemens
    alpha_m = 0.32*(mV**-1)*(13*mV-v+VT)/
             (exp((13*mV-v+VT)/(4*mV))-1.)/ms : Hz
    beta_m = 0.28*(mV**-1)*(v-VT-40*mV)/
            (exp((v-VT-40*mV)/(5*mV))-1)/ms : Hz
    alpha_h = 0.128*exp((17*mV-v+VT)/(18*mV))/ms : Hz
    beta_h = 4./(1+exp((40*mV-v+VT)/(5*mV)))/ms : Hz
    alpha_n = 0.032*(mV**-1)*(15*mV-v+VT)/
             (exp((15*mV-v+VT)/(5*mV))-1.)/ms : Hz
    beta_n = .5*exp((10*mV-v+VT)/(40*mV))/ms : Hz
    ''')
    P = NeuronGroup(N, model=eqs, threshold='v>-20*mV', refractory=3*ms, method='exponential_euler')
    Pe = P[:N_e]
    Pi = P[N_e:]
    Ce = Synapses(Pe, P, on_pre='ge+=we')
    Ci = Synapses(Pi, P, on_pre='gi+=wi')
    Ce.connect(p=p)
    Ci.connect(p=p)
    P.v = 'El + (randn() * 5 - 5)*mV'
    P.ge = '(randn() * 1.5 + 4) * 10.*nS'
    P.gi = '(randn() * 12 + 20) * 10.*nS'
    trace = StateMonitor(P, 'v', record=[1, 10, 100])
