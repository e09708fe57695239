"""The EICIL network's global coupling (K = N - 1) through one shared signed field against the
N(N-1) sign synapses it replaces, on numpy: identical signed spike trains, voltages equal to the
last bits, with and without leak, with constant drive only (deterministic) and with Poisson input
(the same Brian2 random numbers in both); O(N) synapses; pairwise on GeNN."""
import numpy as np
import pytest
from brian2 import ms

from neurodyn import simulate
from neurodyn.errors import ParameterError
from neurodyn.genn_compat import check_model
from neurodyn.models.eicil import EINetwork
from synapse_count import built_synapses

N = 80
DRIVEN = dict(rate_in_hz=0, x_mean_hz=30, x_std_hz=40)
NOISY = dict(n_in=100, rate_in_hz=20, w_in=0.2)


def network(coupling, n=N, **parameters):
    return EINetwork(N=n, K=n - 1, w=-0.02, cycle_period=20 * ms, inh_duration=10 * ms, seed=2, coupling=coupling,
                     **parameters)


@pytest.mark.parametrize("inputs", [DRIVEN, NOISY], ids=["constant drive", "Poisson input"])
@pytest.mark.parametrize("tau", [None, 20 * ms], ids=["non-leaky", "leaky"])
def test_signed_field_equals_pairwise_on_numpy(inputs, tau):
    field, pairwise = (simulate(network(coupling, tau=tau, **inputs), 300 * ms, target="numpy", record_v=[0, 5, 40],
                                progress=False) for coupling in ("field", "pairwise"))
    signs = pairwise.spike_values["s"]
    assert len(signs) > 200 and np.sum(signs < 0) > 10, "the comparison needs spikes of both signs"
    np.testing.assert_array_equal(field.spike_i, pairwise.spike_i)
    np.testing.assert_array_equal(field.spike_t, pairwise.spike_t)
    np.testing.assert_array_equal(field.spike_values["s"], signs)
    np.testing.assert_allclose(field.voltage.v, pairwise.voltage.v, rtol=0, atol=1e-12)


@pytest.mark.parametrize("n", [30, 300])
def test_signed_field_has_one_synapse_per_neuron(n):
    assert built_synapses(network("auto", n), "recurrent") == n
    assert built_synapses(network("pairwise", n), "recurrent") == n * (n - 1)


def test_genn_builds_the_sign_synapses():
    assert built_synapses(network("auto", 30), "recurrent", planned="genn") == 30 * 29
    check_model(network("auto", 30, **DRIVEN))
    with pytest.raises(ParameterError, match="Brian2GeNN"):
        check_model(network("field", 30, **DRIVEN))


def test_field_needs_global_coupling():
    with pytest.raises(ParameterError, match="global coupling"):
        EINetwork(N=100, K=10, coupling="field")
    assert built_synapses(EINetwork(N=100, K=10), "recurrent") == 1000
    with pytest.raises(ParameterError, match="coupling"):
        EINetwork(N=100, coupling="shared")
