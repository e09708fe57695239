"""Brian2's example scripts against the same models written for neurodyn.

Each plain Brian2 script below is the example as a Brian2 user writes it (modern API, a
``seed`` call for reproducibility, no plotting); the neurodyn versions are the shipped files of
:mod:`neurodyn.models.examples`. The tests check that the neurodyn version is at most 8
non-blank, non-comment lines longer, and that both give identical spike trains and identical
voltages (noise and random connectivity included) with the same seed on numpy, cython and
cpp_standalone. Networks are shrunk (N, duration) by text replacement so the runs are short;
plain and neurodyn runs of one target share compiled code (Cython cache, one standalone build
directory), so each target compiles about once per model.
"""
import gc
import inspect
from pathlib import Path

import numpy as np
import pytest
from brian2 import ms

from neurodyn import simulate
from neurodyn.models.examples import brunel_hakim, cobahh
from neurodyn.targets import build_root, target_device

BRUNEL_HAKIM = '''"""Brunel & Hakim (1999): sparse inhibitory network of current-based LIF neurons with noise.

N. Brunel & V. Hakim, "Fast global oscillations in networks of integrate-and-fire neurons with
low firing rates", Neural Computation 11, 1621-1671 (1999); Brian2 example Brunel_Hakim_1999.

    tau dV/dt = -V + muext + sigmaext sqrt(tau) xi      V > theta: spike, V = Vr, refractory taurefr
    a spike lowers V of each target by J after delta     each pair connected with p = C / N
"""
from brian2 import *

seed(7)
N = 5000
Vr = 10*mV
theta = 20*mV
tau = 20*ms
delta = 2*ms
taurefr = 2*ms
duration = .1*second
C = 1000
sparseness = float(C)/N
J = .1*mV
muext = 25*mV
sigmaext = 1*mV

eqs = """
dV/dt = (-V+muext + sigmaext * sqrt(tau) * xi)/tau : volt
"""

group = NeuronGroup(N, eqs, threshold='V>theta', reset='V=Vr', refractory=taurefr, method='euler')
group.V = Vr
conn = Synapses(group, group, on_pre='V += -J', delay=delta)
conn.connect(p=sparseness)
M = SpikeMonitor(group)
LFP = PopulationRateMonitor(group)

run(duration)
'''

COBAHH = """'''COBAHH: random network of Hodgkin-Huxley neurons with exponential synaptic conductances.

Benchmark 3 of R. Brette et al., "Simulation of networks of spiking neurons: a review of tools
and strategies", J. Comput. Neurosci. 23, 349-398 (2007); Brian2 example COBAHH.

    Cm dv/dt = gl (El - v) + ge (Ee - v) + gi (Ei - v) - g_na m^3 h (v - ENa) - g_kd n^4 (v - EK)
    dge/dt = -ge / taue,  dgi/dt = -gi / taui        a spike of an excitatory (inhibitory) neuron
    m, n, h: Traub-Miles kinetics                      raises ge (gi) of its targets by we (wi)
'''
from brian2 import *

seed(7)
# Parameters
area = 20000*umetre**2
Cm = (1*ufarad*cm**-2) * area
gl = (5e-5*siemens*cm**-2) * area
El = -60*mV
EK = -90*mV
ENa = 50*mV
g_na = (100*msiemens*cm**-2) * area
g_kd = (30*msiemens*cm**-2) * area
VT = -63*mV
# Time constants
taue = 5*ms
taui = 10*ms
# Reversal potentials
Ee = 0*mV
Ei = -80*mV
we = 6*nS  # excitatory synaptic weight
wi = 67*nS  # inhibitory synaptic weight

# The model
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

P = NeuronGroup(4000, model=eqs, threshold='v>-20*mV', refractory=3*ms,
                method='exponential_euler')
Pe = P[:3200]
Pi = P[3200:]
Ce = Synapses(Pe, P, on_pre='ge+=we')
Ci = Synapses(Pi, P, on_pre='gi+=wi')
Ce.connect(p=0.02)
Ci.connect(p=0.02)

# Initialization
P.v = 'El + (randn() * 5 - 5)*mV'
P.ge = '(randn() * 1.5 + 4) * 10.*nS'
P.gi = '(randn() * 12 + 20) * 10.*nS'

# Record a few traces
trace = StateMonitor(P, 'v', record=[1, 10, 100])
run(1 * second, report='text')
"""

#: Per model: the plain script, its shrinking replacements, the neurodyn model with the same
#: sizes, the recorded variable and neurons, the simulated time.
CASES = {
    "brunel_hakim": dict(script=BRUNEL_HAKIM, module=brunel_hakim,
                         shrink={"N = 5000": "N = 400", "C = 1000": "C = 80", "duration = .1*second":
                                 "duration = 60*ms", "run(duration)":
                                 "trace = StateMonitor(group, 'V', record=[0, 1])\nrun(duration)"},
                         model=lambda: brunel_hakim.brunel_hakim(N=400, C=80, seed=7), variable="V",
                         neurons=[0, 1], duration=60 * ms, monitor="M", trace="trace"),
    "cobahh": dict(script=COBAHH, module=cobahh,
                   shrink={"4000": "400", "3200": "320", "run(1 * second, report='text')": "run(40*ms)",
                           "# Record a few traces": "spikes = SpikeMonitor(P)"},
                   model=lambda: cobahh.cobahh(N=400, N_e=320, seed=7), variable="v", neurons=None,
                   duration=40 * ms, monitor="spikes", trace="trace"),
}
TARGETS = ("numpy", "cython", "cpp_standalone")


def code_lines(text: str) -> int:
    """Non-blank lines that are not comments (docstrings count, as any other code)."""
    return sum(1 for line in text.splitlines() if line.strip() and not line.strip().startswith("#"))


@pytest.mark.parametrize("name", sorted(CASES))
def test_neurodyn_version_is_at_most_8_lines_longer(name):
    case = CASES[name]
    plain, ours = code_lines(case["script"]), code_lines(Path(inspect.getfile(case["module"])).read_text())
    print(f"{name}: plain Brian2 {plain} lines, neurodyn {ours} lines")
    assert ours - plain <= 8, (plain, ours)


def run_plain(case, target: str, build_dir: Path):
    """Run the shrunk plain script on ``target``; return spike indices, times and traces."""
    script = case["script"]
    for old, new in case["shrink"].items():
        assert old in script
        script = script.replace(old, new)
    namespace = {}
    with target_device(target, 0.1 * ms, build_dir=build_dir):
        exec(compile(script, f"plain_{target}.py", "exec"), namespace)
        spikes, trace = namespace[case["monitor"]], namespace[case["trace"]]
        values = np.array(getattr(trace, case["variable"] + "_"))
        neurons = np.array(trace.record)
        i, t = np.array(spikes.i[:]), np.array(spikes.t_[:])
    namespace.clear()
    gc.collect()  # frees the Brian2 names, so the neurodyn run generates the same code
    return i, t, neurons, values


@pytest.fixture(scope="module")
def build_dirs():
    return {name: Path(build_root()) / f"examples_{name}" for name in CASES}


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("name", sorted(CASES))
def test_identical_spikes_and_voltages_to_the_plain_script(name, target, build_dirs):
    case = CASES[name]
    build_dir = build_dirs[name] / target
    i, t, neurons, values = run_plain(case, target, build_dir)
    record = {case["variable"]: case["neurons"]} if case["neurons"] else None
    result = simulate(case["model"](), case["duration"], target=target, record=record, progress=False,
                      build_dir=build_dir if target == "cpp_standalone" else None)
    trace = result.states[case["variable"]]
    np.testing.assert_array_equal(trace.neurons, neurons)
    assert np.ptp(values) > 1e-3, "the voltages move (by more than 1 mV)"
    np.testing.assert_array_equal(trace.values, values)
    assert len(t) > 50
    np.testing.assert_array_equal(result.spike_i, i)
    np.testing.assert_array_equal(result.spike_t, t)
