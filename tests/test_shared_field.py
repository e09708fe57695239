"""Global coupling through one shared field against the N^2 pairwise network it replaces.

The shared field steps every membrane by the linear superposition of its exact update (alpha
pulses) or subtracts the step's summed kicks at once (delta): voltages may differ in the last
bits, spike trains must be identical. The numpy cases are fast; the Cython and C++ standalone
cases compile two networks each (about a minute together), which is what they test.
"""
import numpy as np
import pytest
from brian2 import Network, NeuronGroup, ms

from neurodyn import InhibitoryNetwork, simulate
from neurodyn.errors import ParameterError
from neurodyn.genn_compat import check_model
from neurodyn.models.inhibitory import field_weights, neuron_equations
from synapse_count import built_synapses

N = 200
VOLTAGE_TOLERANCE = 1e-12


def both_couplings(target, duration=300 * ms, **parameters):
    return [simulate(InhibitoryNetwork(N=N, g=5, I_sampling="even", seed=1, coupling=coupling, **parameters),
                     duration, target=target, record_v=np.arange(0, N, 7), progress=False)
            for coupling in ("field", "pairwise")]


def assert_same_dynamics(field, pairwise):
    assert len(pairwise.spike_t) > 300, "the comparison needs many spikes"
    np.testing.assert_array_equal(field.spike_i, pairwise.spike_i)
    np.testing.assert_array_equal(field.spike_t, pairwise.spike_t)
    np.testing.assert_allclose(field.voltage.v, pairwise.voltage.v, rtol=0, atol=VOLTAGE_TOLERANCE)


@pytest.mark.parametrize("pulse, tau_d", [("alpha", 1 * ms), ("alpha", 0.3 * ms), ("alpha", 2.5 * ms),
                                          ("delta", 2 * ms), ("delta", 0.1 * ms)])
def test_field_equals_pairwise_on_numpy(pulse, tau_d):
    assert_same_dynamics(*both_couplings("numpy", pulse=pulse, tau_d=tau_d))


def test_field_equals_pairwise_on_cython():
    assert_same_dynamics(*both_couplings("cython", duration=200 * ms, pulse="alpha", tau_d=1.5 * ms))


def test_field_equals_pairwise_on_cpp_standalone():
    assert_same_dynamics(*both_couplings("cpp_standalone", duration=200 * ms, pulse="delta", tau_d=0.5 * ms))


@pytest.mark.parametrize("n", [50, 400])
def test_shared_field_has_one_synapse_per_neuron(n):
    assert built_synapses(InhibitoryNetwork(N=n), "inhibition") == n
    assert built_synapses(InhibitoryNetwork(N=n, coupling="pairwise"), "inhibition") == n * n


def test_genn_builds_the_pairwise_network():
    """Brian2GeNN has no linked variables: "auto" builds N^2 synapses for GeNN, "field" is refused."""
    assert built_synapses(InhibitoryNetwork(N=30), "inhibition", planned="genn") == 900
    check_model(InhibitoryNetwork(N=30, pulse="delta"))
    with pytest.raises(ParameterError, match="Brian2GeNN"):
        check_model(InhibitoryNetwork(N=30, coupling="field"))


def test_field_needs_global_coupling():
    with pytest.raises(ParameterError, match="global coupling"):
        InhibitoryNetwork(N=100, K=10, coupling="field")
    assert built_synapses(InhibitoryNetwork(N=100, K=10), "inhibition") == 1000


@pytest.mark.parametrize("alpha, dt", [(20.0, 0.1 * ms), (3.0, 0.05 * ms), (1.0, 0.1 * ms), (0.5, 0.1 * ms)])
def test_field_weights_give_brian2s_exact_step_of_the_pairwise_equations(alpha, dt):
    """One step of Brian2's own "exact" update of the pairwise v, x, y equations equals the shared
    field's e^-h v + (1 - e^-h) I - g (A x + B y), h = dt/tau_m (alpha = 1: SymPy's solution of
    the degenerate system, where the closed forms divide by zero)."""
    tau_m, g = 10 * ms, 2.5
    state = {"v": np.array([0.1, 0.9, -0.4]), "x": np.array([0.0, 0.7, 3.0]), "y": np.array([1.3, 0.2, 40.0]),
             "I_ext": np.array([1.2, 1.6, 0.8])}
    group = NeuronGroup(3, neuron_equations("alpha", alpha), method="exact", namespace={}, dt=dt)
    group.g, group.tau_m = g, tau_m
    for name, value in state.items():
        setattr(group, name, value)
    Network(group).run(dt)
    A, B = field_weights(alpha, dt, tau_m)
    decay = np.exp(-float(dt / tau_m))
    expected = decay * state["v"] + (1 - decay) * state["I_ext"] - g * (A * state["x"] + B * state["y"])
    np.testing.assert_allclose(group.v[:], expected, rtol=1e-13, atol=1e-15)
    h = float(dt / tau_m)
    if alpha != 1.0:  # the closed forms of field_weights' docstring
        closed_A = (np.exp(-alpha * h) - np.exp(-h)) / (1 - alpha)
        closed_B = alpha * (np.exp(-h) - np.exp(-alpha * h) * (1 - (1 - alpha) * h)) / (1 - alpha) ** 2
        np.testing.assert_allclose([A, B], [closed_A, closed_B], rtol=1e-10)
    else:
        np.testing.assert_allclose([A, B], [h * np.exp(-h), h**2 * np.exp(-h) / 2], rtol=1e-13)
