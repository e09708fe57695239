"""Global coupling through one shared field against the N^2 pairwise network it replaces.

The shared field turns the n kicks a step delivers into one product ``kick * n``: voltages may
differ in the last bits (measured up to 3e-15 over 300 ms), spike trains must be identical. The
numpy cases are fast; the Cython and C++ standalone cases compile two networks each (about a
minute together), which is what they test.
"""
import numpy as np
import pytest
from brian2 import ms

from neurodyn import InhibitoryNetwork, simulate
from neurodyn.errors import ParameterError
from neurodyn.genn_compat import check_model
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
