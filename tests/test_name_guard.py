"""The name guard refuses exactly what Brian2 2.5.4 integrates wrongly, and allows the rest.

Each case is measured with plain Brian2 first (numpy runtime, 10 ms of dx/dt = -x/(10 ms) from
x = 1, exact value exp(-1) = 0.3679), so the test fails if Brian2's behaviour changes.
"""
import numpy as np
import pytest
from brian2 import NeuronGroup, Network, ms, mV, nF, nS
from brian2.core.base import BrianObjectException

import neurodyn
from neurodyn import ModelDefinitionError, simulate
from neurodyn.model import NeuronModel
from neurodyn.targets import target_device

DECAYED = np.exp(-1)


def plain_decay(name: str, method: str) -> float:
    """``d<name>/dt = -<name>/(10 ms)`` from 1 for 10 ms with plain Brian2."""
    with target_device("numpy", 0.1 * ms):
        group = NeuronGroup(1, f"d{name}/dt = -{name}/(10*ms) : 1", method=method)
        setattr(group, name, 1.0)
        Network(group).run(10 * ms)
        return float(getattr(group, name)[0])


def decay_model(name: str, method: str):
    @neurodyn.model
    def decay(tau=10 * ms):
        group = NeuronGroup(1, f"d{name}/dt = -{name}/tau : 1", method=method)
        setattr(group, name, 1.0)
    return decay


def test_state_variable_E_under_exact_is_wrong_in_brian2_and_refused():
    assert plain_decay("E", "exact") == pytest.approx(2.6912, abs=1e-3)  # Brian2 reads E as Euler's number
    assert plain_decay("E", "euler") == pytest.approx(0.3660, abs=1e-3)  # Euler's method is right (to O(dt))
    with pytest.raises(ModelDefinitionError, match="state variable named E"):
        simulate(decay_model("E", "exact")(), 10 * ms, target="numpy", progress=False)
    with pytest.raises(ModelDefinitionError, match="state variable named E"):
        NeuronModel("dE/dt = -E/(10*ms) : 1")


def test_default_method_that_picks_exact_is_refused_too():
    with pytest.raises(ModelDefinitionError, match="state variable named E"):
        simulate(decay_model("E", ("exact", "euler"))(), 10 * ms, target="numpy", progress=False)


def test_state_variable_E_under_euler_is_allowed_and_correct():
    result = simulate(decay_model("E", "euler")(), 10 * ms, target="numpy", record={"E": [0]}, progress=False)
    assert result.states["E"].values[0, -1] == pytest.approx(plain_decay("x", "euler"), rel=0.02)


@pytest.mark.parametrize("name", ["S", "O", "Q", "beta", "gamma", "zeta"])
def test_other_sympy_names_under_exact_make_brian2_raise_by_itself(name):
    """No silent error to guard against: Brian2 refuses these at run time, and under Euler they
    integrate correctly, so neurodyn allows them."""
    with pytest.raises(BrianObjectException):
        plain_decay(name, "exact")
    assert plain_decay(name, "euler") == pytest.approx(plain_decay("x", "euler"))


@pytest.mark.parametrize("name", ["I", "E", "S", "beta"])
def test_sympy_names_as_parameters_integrate_correctly(name):
    """``dv/dt = (<name> - v)/tau`` with <name> = 1 a constant: v(10 ms) = 1 - exp(-1) under exact."""
    @neurodyn.model
    def driven(tau=10 * ms):
        group = NeuronGroup(1, f"dv/dt = ({name} - v)/tau : 1\n{name} : 1", method="exact")
        setattr(group, name, 1.0)

    result = simulate(driven(), 10 * ms, target="numpy", record={"v": [0]}, progress=False)
    final = result.states["v"].values[0, -1]   # recorded at the start of the last step: t = 9.9 ms
    assert final == pytest.approx(1 - np.exp(-0.99), rel=1e-9)


def test_hodgkin_huxley_with_an_input_current_I_runs():
    """Brian2's HH examples declare ``I : amp``; they run unchanged."""
    @neurodyn.model
    def hh(N=2):
        eqs = """
        dv/dt = (gl*(El-v) - g_na*(m*m*m)*h*(v-ENa) - g_kd*(n*n*n*n)*(v-EK) + I)/Cm : volt
        dm/dt = 0.32*(mV**-1)*(13.*mV-v+VT)/(exp((13.*mV-v+VT)/(4.*mV))-1.)/ms*(1-m)-0.28*(mV**-1)*(v-VT-40.*mV)/(exp((v-VT-40.*mV)/(5.*mV))-1.)/ms*m : 1
        dn/dt = 0.032*(mV**-1)*(15.*mV-v+VT)/(exp((15.*mV-v+VT)/(5.*mV))-1.)/ms*(1.-n)-.5*exp((10.*mV-v+VT)/(40.*mV))/ms*n : 1
        dh/dt = 0.128*exp((17.*mV-v+VT)/(18.*mV))/ms*(1.-h)-4./(1+exp((40.*mV-v+VT)/(5.*mV)))/ms*h : 1
        I : amp
        """
        Cm, gl, g_na, g_kd = 0.2 * nF, 10 * nS, 20000 * nS, 6000 * nS
        El, EK, ENa, VT = -65 * mV, -90 * mV, 50 * mV, -63 * mV
        group = NeuronGroup(N, eqs, threshold="v > -40*mV", refractory="v > -40*mV", method="exponential_euler")
        group.v = El
        group.I = "i * 1*nA"

    result = simulate(hh(), 30 * ms, target="numpy", progress=False)
    counts = np.bincount(result.spike_i, minlength=2)
    assert counts[0] == 0 and counts[1] >= 2, "no input: silent; 1 nA: fires repeatedly"
